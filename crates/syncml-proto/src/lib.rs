//! SyncML / OMA DS messages for calvault: the WBXML codec, XML reading and writing, and the
//! typed message model. Pure: bytes in, values out, no I/O.
