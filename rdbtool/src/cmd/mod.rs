pub mod dump;
pub mod info;
pub mod stats;
pub mod verify;
