//! Library side of the `loupe` command: the static file server it (and the
//! end-to-end tests) use. The commands themselves live in the binary.

pub mod static_server;
