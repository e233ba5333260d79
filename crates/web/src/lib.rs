//! calvault's web pages: server-rendered HTML for phones and desktops.
