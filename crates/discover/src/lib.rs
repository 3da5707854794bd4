//! Rampart's discovery: from exchanges to an API inventory.
//!
//! - [`segment`] types single path segments (integer, UUID, email, ...);
//! - [`template`] turns concrete paths into templates per host and method, by segment type and
//!   by cardinality over siblings, with supplied specs taking precedence, and records why;
//! - [`facts`] keeps bounded per-endpoint facts (hits, clients, statuses, latency, parameters and
//!   body fields with types, [`auth`] seen, [`classify`]'d sensitive data);
//! - [`spec`] imports OpenAPI 3.x and Swagger 2.0 documents into one model, [`diff`] compares
//!   the inventory with them, and [`openapi`] exports the inventory as OpenAPI 3;
//! - [`json_walk`] reads a JSON body once, without building it, for the classifier and the
//!   field schema;
//! - [`inventory`] ties these together behind `observe(&Exchange)`.

pub use rampart_core::auth;
pub mod classify;
pub mod diff;
pub mod facts;
pub mod inventory;
pub mod json_walk;
pub mod openapi;
pub mod schema;
pub mod segment;
pub mod spec;
pub mod template;
