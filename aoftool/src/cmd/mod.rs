pub mod dump;
pub mod rewrite;
pub mod verify;
