//! The spec model shared by import, templating, diff and the simulator.

use serde::Serialize;
use serde_json::Value;

/// One API description, whatever its source format.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Spec {
    /// Where it was read from (file path), for messages.
    pub source: String,
    /// `info.title`.
    pub title: Option<String>,
    /// `openapi` or `swagger` version string as written.
    pub format_version: String,
    /// Hosts named by `servers[].url` or `host`, lower case, without port; empty when none.
    pub hosts: Vec<String>,
    /// Every operation, path templates prefixed with the server / `basePath` path.
    pub operations: Vec<Operation>,
    /// Security schemes declared in the document, by name.
    pub security_schemes: Vec<SecurityScheme>,
    /// What could not be read, with where; reading went on past each.
    pub problems: Vec<SpecProblem>,
}

/// One operation: a method on a path template.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Operation {
    /// Upper-case method (`GET`).
    pub method: String,
    /// Full path template as documented, prefix included (`/v1/users/{id}`).
    pub path: String,
    /// `operationId`.
    pub operation_id: Option<String>,
    /// Whether the operation (or its path item) is marked deprecated.
    pub deprecated: bool,
    /// Parameters, path-level and operation-level merged, `$ref`s resolved.
    pub params: Vec<Param>,
    /// Request body schema for JSON media types, resolved.
    pub request_schema: Option<Value>,
    /// Documented responses.
    pub responses: Vec<ResponseSpec>,
    /// Names of the security schemes any of which the operation accepts; `Some(vec![])` means
    /// explicitly public, `None` means the document says nothing.
    pub security: Option<Vec<String>>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamIn {
    /// A path template variable.
    Path,
    /// A query string parameter.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

/// One documented parameter.
#[derive(Debug, Clone, Serialize)]
pub struct Param {
    /// Parameter name.
    pub name: String,
    /// Where it goes.
    pub location: ParamIn,
    /// Whether it is required.
    pub required: bool,
    /// Its JSON schema, `$ref`s resolved (Swagger 2 `type`/`format`/`enum` moved into it).
    pub schema: Value,
}

/// One documented response.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseSpec {
    /// Status code as written (`200`, `4XX`, `default`).
    pub status: String,
    /// JSON body schema, `$ref`s resolved (depth-bounded for recursive schemas).
    pub schema: Option<Value>,
}

/// A declared security scheme.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityScheme {
    /// Its name in `components.securitySchemes` / `securityDefinitions`.
    pub name: String,
    /// `http`, `apiKey`, `oauth2`, `openIdConnect`, `basic` (Swagger 2) ...
    pub kind: String,
    /// `bearer` / `basic` for `http` schemes.
    pub scheme: Option<String>,
    /// For `apiKey`: where (`header`, `query`, `cookie`) and the name.
    pub key_location: Option<(String, String)>,
}

/// Something in the document that could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct SpecProblem {
    /// JSON pointer to the place (`/paths/~1users/get/parameters/0`).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}
