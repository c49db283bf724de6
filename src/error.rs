//! The one error type of the service, its mapping to HTTP statuses, and the JSON error envelope.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// Every failure a request can meet.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request could not be read (malformed JSON, wrong types, unknown fields): 400.
    #[error("{message}")]
    BadRequest {
        message: String,
        field: Option<String>,
    },
    /// Well-formed but not acceptable (unknown department, date outside the calendar): 422.
    #[error("{message}")]
    Invalid {
        message: String,
        field: Option<String>,
    },
    #[error("authentication required: send `Authorization: Bearer <token>`")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The action conflicts with the message's state: 409.
    #[error("{0}")]
    Conflict(String),
    #[error("request body too large: the limit is {0} bytes")]
    TooLarge(usize),
    /// The path exists, not with this method: 405 with `Allow` (the methods it has).
    #[error("method not allowed: this path answers {0}")]
    MethodNotAllowed(String),
    /// A dependency is exhausted or down (pool timeout): 503.
    #[error("service temporarily unavailable")]
    Unavailable(String),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            message: message.into(),
            field: Some(field.to_string()),
        }
    }

    pub fn bad_request(field: Option<&str>, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            message: message.into(),
            field: field.map(str::to_string),
        }
    }

    /// Machine-readable code of the envelope.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { .. } => "bad_request",
            AppError::Invalid { .. } => "invalid",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::TooLarge(_) => "too_large",
            AppError::MethodNotAllowed(_) => "method_not_allowed",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            AppError::BadRequest { field, .. } | AppError::Invalid { field, .. } => {
                field.as_deref()
            }
            _ => None,
        }
    }
}

/// `{"error": {"code", "message", "field"}}`
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The request's `X-Request-Id`, as in the log lines of the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        // Log causes once, here, where the error is answered; clients get an opaque message.
        match self {
            AppError::Internal(e) => tracing::error!(error.cause_chain = ?e, "internal error"),
            AppError::Unavailable(why) => tracing::warn!(error.cause = %why, "unavailable"),
            _ => {}
        }
        let mut resp = HttpResponse::build(self.status_code());
        if matches!(self, AppError::Unauthorized) {
            resp.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if let AppError::MethodNotAllowed(allow) = self {
            resp.insert_header(("Allow", allow.as_str()));
        }
        resp.json(ErrorEnvelope {
            error: ErrorBody {
                code: self.code().to_string(),
                message: self.to_string(),
                field: self.field().map(str::to_string),
                request_id: crate::telemetry::request_id(),
            },
        })
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::NotFound("not found".into()),
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(e)
    }
}

impl From<crate::calendar::CalendarError> for AppError {
    fn from(e: crate::calendar::CalendarError) -> Self {
        AppError::Invalid {
            message: e.to_string(),
            field: None,
        }
    }
}

/// True when a database error is a unique-constraint violation (the one place that knows how).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
