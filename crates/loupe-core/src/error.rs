//! Errors of the format layer. Each says what is wrong in words a user can act on.

use crate::json::JsonError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormatError {
    #[error(transparent)]
    Json(#[from] JsonError),
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    #[error("field `{field}` {message}")]
    BadField {
        field: &'static str,
        message: String,
    },
    #[error("expected a `{expected}` file but `_type` is `{found}`")]
    WrongType { expected: String, found: String },
    #[error("no `_type` field: this is not a W&B object (expected e.g. a table)")]
    Untyped,
    #[error("unsupported `_type` `{0}`")]
    UnsupportedType(String),
}
