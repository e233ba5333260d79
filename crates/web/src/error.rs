//! The one error type of the pages, and the HTTP answer each error gets.

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use calvault_core::CoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No valid session: the page sends the visitor to the sign-in page.
    #[error("not signed in")]
    SignedOut,
    /// Missing, or not the signed-in user's to see: both answer 404 so names do not leak.
    #[error("not found")]
    NotFound,
    /// The user may see this calendar but not change it (a read-only share).
    #[error("read-only")]
    ReadOnly,
    /// A POST without the session's CSRF token.
    #[error("the form has expired; reload the page and try again")]
    Csrf,
    #[error("{0}")]
    BadRequest(String),
    #[error("too many failed attempts: retry in {retry_after} s")]
    TooManyAttempts { retry_after: u64 },
    #[error(transparent)]
    Core(CoreError),
    #[error("page rendering failed: {0}")]
    Template(#[from] askama::Error),
    /// A failure of the server itself (a worker thread that did not finish).
    #[error("{0}")]
    Internal(String),
}

impl From<CoreError> for WebError {
    fn from(error: CoreError) -> Self {
        match error {
            CoreError::NotFound(_) => WebError::NotFound,
            CoreError::Forbidden => WebError::ReadOnly,
            CoreError::TooManyAttempts { retry_after } => WebError::TooManyAttempts { retry_after },
            CoreError::Invalid(message) | CoreError::InvalidData(message) => {
                WebError::BadRequest(message)
            }
            CoreError::AlreadyExists(what) => {
                WebError::BadRequest(format!("{what} already exists"))
            }
            CoreError::UidConflict { uid, .. } => {
                WebError::BadRequest(format!("another event already has the UID {uid}"))
            }
            CoreError::PreconditionFailed(reason) => WebError::BadRequest(format!(
                "it changed meanwhile ({reason}); reload the page and try again"
            )),
            other => WebError::Core(other),
        }
    }
}

impl From<calvault_core::store::StoreError> for WebError {
    fn from(error: calvault_core::store::StoreError) -> Self {
        WebError::from(CoreError::from(error))
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::SignedOut => StatusCode::SEE_OTHER,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::ReadOnly | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Core(_) | WebError::Template(_) | WebError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::SignedOut = self {
            return (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
        }
        let status = self.status();
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            // The details go to the log, not to the page.
            tracing::error!(error = %self, "web page failed");
            "Something went wrong on the server. / Une erreur s'est produite sur le serveur."
                .to_string()
        } else {
            self.to_string()
        };
        let page = crate::frame::ErrorPage {
            status: status.as_u16(),
            message,
        };
        let body = askama::Template::render(&page).unwrap_or_else(|_| status.to_string());
        (status, Html(body)).into_response()
    }
}
