//! OpenAPI 3 export of the learned inventory.
