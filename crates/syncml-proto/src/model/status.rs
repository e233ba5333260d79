//! SyncML response status codes (SyncML RepPro 1.2 §10).

use std::fmt;

/// A Status `Data` code; known codes are associated constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusCode(pub u16);

impl StatusCode {
    /// 101 In progress.
    pub const IN_PROGRESS: StatusCode = StatusCode(101);
    /// 200 OK.
    pub const OK: StatusCode = StatusCode(200);
    /// 201 Item added.
    pub const ITEM_ADDED: StatusCode = StatusCode(201);
    /// 202 Accepted for processing.
    pub const ACCEPTED_FOR_PROCESSING: StatusCode = StatusCode(202);
    /// 203 Non-authoritative response.
    pub const NON_AUTHORITATIVE_RESPONSE: StatusCode = StatusCode(203);
    /// 204 No content.
    pub const NO_CONTENT: StatusCode = StatusCode(204);
    /// 205 Reset content.
    pub const RESET_CONTENT: StatusCode = StatusCode(205);
    /// 206 Partial content.
    pub const PARTIAL_CONTENT: StatusCode = StatusCode(206);
    /// 207 Conflict resolved with merge.
    pub const CONFLICT_RESOLVED_WITH_MERGE: StatusCode = StatusCode(207);
    /// 208 Conflict resolved with client's command winning.
    pub const CONFLICT_RESOLVED_CLIENT_WINNING: StatusCode = StatusCode(208);
    /// 209 Conflict resolved with duplicate.
    pub const CONFLICT_RESOLVED_WITH_DUPLICATE: StatusCode = StatusCode(209);
    /// 210 Delete without archive.
    pub const DELETE_WITHOUT_ARCHIVE: StatusCode = StatusCode(210);
    /// 211 Item not deleted.
    pub const ITEM_NOT_DELETED: StatusCode = StatusCode(211);
    /// 212 Authentication accepted.
    pub const AUTHENTICATION_ACCEPTED: StatusCode = StatusCode(212);
    /// 213 Chunked item accepted and buffered.
    pub const CHUNKED_ITEM_ACCEPTED: StatusCode = StatusCode(213);
    /// 214 Operation cancelled.
    pub const OPERATION_CANCELLED: StatusCode = StatusCode(214);
    /// 215 Not executed.
    pub const NOT_EXECUTED: StatusCode = StatusCode(215);
    /// 216 Atomic roll back OK.
    pub const ATOMIC_ROLL_BACK_OK: StatusCode = StatusCode(216);
    /// 300 Multiple choices.
    pub const MULTIPLE_CHOICES: StatusCode = StatusCode(300);
    /// 301 Moved permanently.
    pub const MOVED_PERMANENTLY: StatusCode = StatusCode(301);
    /// 302 Found.
    pub const FOUND: StatusCode = StatusCode(302);
    /// 303 See other.
    pub const SEE_OTHER: StatusCode = StatusCode(303);
    /// 304 Not modified.
    pub const NOT_MODIFIED: StatusCode = StatusCode(304);
    /// 305 Use proxy.
    pub const USE_PROXY: StatusCode = StatusCode(305);
    /// 400 Bad request.
    pub const BAD_REQUEST: StatusCode = StatusCode(400);
    /// 401 Invalid credentials.
    pub const INVALID_CREDENTIALS: StatusCode = StatusCode(401);
    /// 402 Payment required.
    pub const PAYMENT_REQUIRED: StatusCode = StatusCode(402);
    /// 403 Forbidden.
    pub const FORBIDDEN: StatusCode = StatusCode(403);
    /// 404 Not found.
    pub const NOT_FOUND: StatusCode = StatusCode(404);
    /// 405 Command not allowed.
    pub const COMMAND_NOT_ALLOWED: StatusCode = StatusCode(405);
    /// 406 Optional feature not supported.
    pub const OPTIONAL_FEATURE_NOT_SUPPORTED: StatusCode = StatusCode(406);
    /// 407 Missing credentials.
    pub const MISSING_CREDENTIALS: StatusCode = StatusCode(407);
    /// 408 Request timeout.
    pub const REQUEST_TIMEOUT: StatusCode = StatusCode(408);
    /// 409 Conflict.
    pub const CONFLICT: StatusCode = StatusCode(409);
    /// 410 Gone.
    pub const GONE: StatusCode = StatusCode(410);
    /// 411 Size required.
    pub const SIZE_REQUIRED: StatusCode = StatusCode(411);
    /// 412 Incomplete command.
    pub const INCOMPLETE_COMMAND: StatusCode = StatusCode(412);
    /// 413 Request entity too large.
    pub const REQUEST_ENTITY_TOO_LARGE: StatusCode = StatusCode(413);
    /// 414 URI too long.
    pub const URI_TOO_LONG: StatusCode = StatusCode(414);
    /// 415 Unsupported media type or format.
    pub const UNSUPPORTED_MEDIA_TYPE: StatusCode = StatusCode(415);
    /// 416 Requested size too big.
    pub const REQUESTED_SIZE_TOO_BIG: StatusCode = StatusCode(416);
    /// 417 Retry later.
    pub const RETRY_LATER: StatusCode = StatusCode(417);
    /// 418 Already exists.
    pub const ALREADY_EXISTS: StatusCode = StatusCode(418);
    /// 419 Conflict resolved with server data.
    pub const CONFLICT_RESOLVED_WITH_SERVER_DATA: StatusCode = StatusCode(419);
    /// 420 Device full.
    pub const DEVICE_FULL: StatusCode = StatusCode(420);
    /// 421 Unknown search grammar.
    pub const UNKNOWN_SEARCH_GRAMMAR: StatusCode = StatusCode(421);
    /// 422 Bad CGI script.
    pub const BAD_CGI_SCRIPT: StatusCode = StatusCode(422);
    /// 423 Soft-delete conflict.
    pub const SOFT_DELETE_CONFLICT: StatusCode = StatusCode(423);
    /// 424 Size mismatch.
    pub const SIZE_MISMATCH: StatusCode = StatusCode(424);
    /// 425 Permission denied.
    pub const PERMISSION_DENIED: StatusCode = StatusCode(425);
    /// 426 Partial item not accepted.
    pub const PARTIAL_ITEM_NOT_ACCEPTED: StatusCode = StatusCode(426);
    /// 427 Item not empty.
    pub const ITEM_NOT_EMPTY: StatusCode = StatusCode(427);
    /// 428 Move failed.
    pub const MOVE_FAILED: StatusCode = StatusCode(428);
    /// 500 Command failed.
    pub const COMMAND_FAILED: StatusCode = StatusCode(500);
    /// 501 Command not implemented.
    pub const COMMAND_NOT_IMPLEMENTED: StatusCode = StatusCode(501);
    /// 502 Bad gateway.
    pub const BAD_GATEWAY: StatusCode = StatusCode(502);
    /// 503 Service unavailable.
    pub const SERVICE_UNAVAILABLE: StatusCode = StatusCode(503);
    /// 504 Gateway timeout.
    pub const GATEWAY_TIMEOUT: StatusCode = StatusCode(504);
    /// 505 DTD version not supported.
    pub const DTD_VERSION_NOT_SUPPORTED: StatusCode = StatusCode(505);
    /// 506 Processing error.
    pub const PROCESSING_ERROR: StatusCode = StatusCode(506);
    /// 507 Atomic failed.
    pub const ATOMIC_FAILED: StatusCode = StatusCode(507);
    /// 508 Refresh required.
    pub const REFRESH_REQUIRED: StatusCode = StatusCode(508);
    /// 510 Data store failure.
    pub const DATA_STORE_FAILURE: StatusCode = StatusCode(510);
    /// 511 Server failure.
    pub const SERVER_FAILURE: StatusCode = StatusCode(511);
    /// 512 Synchronization failed.
    pub const SYNCHRONIZATION_FAILED: StatusCode = StatusCode(512);
    /// 513 Protocol version not supported.
    pub const PROTOCOL_VERSION_NOT_SUPPORTED: StatusCode = StatusCode(513);
    /// 514 Operation cancelled before processing.
    pub const OPERATION_CANCELLED_BEFORE_PROCESSING: StatusCode = StatusCode(514);
    /// 516 Atomic roll back failed.
    pub const ATOMIC_ROLL_BACK_FAILED: StatusCode = StatusCode(516);
    /// 517 Atomic response too large to fit.
    pub const ATOMIC_RESPONSE_TOO_LARGE: StatusCode = StatusCode(517);

    /// The name the specification gives this code, if it defines one.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            101 => "In progress",
            200 => "OK",
            201 => "Item added",
            202 => "Accepted for processing",
            203 => "Non-authoritative response",
            204 => "No content",
            205 => "Reset content",
            206 => "Partial content",
            207 => "Conflict resolved with merge",
            208 => "Conflict resolved with client's command winning",
            209 => "Conflict resolved with duplicate",
            210 => "Delete without archive",
            211 => "Item not deleted",
            212 => "Authentication accepted",
            213 => "Chunked item accepted and buffered",
            214 => "Operation cancelled",
            215 => "Not executed",
            216 => "Atomic roll back OK",
            300 => "Multiple choices",
            301 => "Moved permanently",
            302 => "Found",
            303 => "See other",
            304 => "Not modified",
            305 => "Use proxy",
            400 => "Bad request",
            401 => "Invalid credentials",
            402 => "Payment required",
            403 => "Forbidden",
            404 => "Not found",
            405 => "Command not allowed",
            406 => "Optional feature not supported",
            407 => "Missing credentials",
            408 => "Request timeout",
            409 => "Conflict",
            410 => "Gone",
            411 => "Size required",
            412 => "Incomplete command",
            413 => "Request entity too large",
            414 => "URI too long",
            415 => "Unsupported media type or format",
            416 => "Requested size too big",
            417 => "Retry later",
            418 => "Already exists",
            419 => "Conflict resolved with server data",
            420 => "Device full",
            421 => "Unknown search grammar",
            422 => "Bad CGI script",
            423 => "Soft-delete conflict",
            424 => "Size mismatch",
            425 => "Permission denied",
            426 => "Partial item not accepted",
            427 => "Item not empty",
            428 => "Move failed",
            500 => "Command failed",
            501 => "Command not implemented",
            502 => "Bad gateway",
            503 => "Service unavailable",
            504 => "Gateway timeout",
            505 => "DTD version not supported",
            506 => "Processing error",
            507 => "Atomic failed",
            508 => "Refresh required",
            510 => "Data store failure",
            511 => "Server failure",
            512 => "Synchronization failed",
            513 => "Protocol version not supported",
            514 => "Operation cancelled before processing",
            516 => "Atomic roll back failed",
            517 => "Atomic response too large to fit",
            _ => return None,
        })
    }

    /// 1xx informational.
    pub fn is_informational(self) -> bool {
        (100..200).contains(&self.0)
    }

    /// 2xx: the command completed successfully.
    pub fn is_success(self) -> bool {
        (200..300).contains(&self.0)
    }

    /// 4xx originator exceptions and 5xx recipient exceptions.
    pub fn is_error(self) -> bool {
        self.0 >= 400
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_classes() {
        assert_eq!(
            StatusCode::CHUNKED_ITEM_ACCEPTED.name(),
            Some("Chunked item accepted and buffered")
        );
        assert!(StatusCode::AUTHENTICATION_ACCEPTED.is_success());
        assert!(StatusCode::REFRESH_REQUIRED.is_error());
        assert_eq!(StatusCode(299).name(), None);
        assert_eq!(StatusCode::OK.to_string(), "200");
    }
}
