//! API specifications: OpenAPI 3.x and Swagger 2.0 documents, JSON or YAML, read into one model.
//!
//! [`Spec`] is what the rest of Rampart sees of a document: its operations with full path
//! templates (server or `basePath` prefix included), parameters and response schemas with
//! `$ref`s resolved, security requirements and deprecation. Problems found while reading
//! (broken `$ref`s, unknown parameter locations) are collected in [`Spec::problems`] with the
//! JSON pointer where they occur; reading goes on past them.

mod import;
mod model;
mod refs;

#[cfg(test)]
mod tests;

pub use import::{from_value, load_spec, parse_spec, SpecError};
pub use model::{Operation, Param, ParamIn, ResponseSpec, SecurityScheme, Spec, SpecProblem};
