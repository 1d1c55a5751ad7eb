pub mod dump;
pub mod info;
pub mod lzfcheck;
pub mod stats;
pub mod verify;
