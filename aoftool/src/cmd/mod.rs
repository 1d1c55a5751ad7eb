pub mod dump;
pub mod verify;
