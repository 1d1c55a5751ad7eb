pub mod convert;
pub mod diff;
pub mod dump;
pub mod info;
pub mod lzfcheck;
pub mod memory;
mod resp;
pub mod stats;
pub mod verify;
