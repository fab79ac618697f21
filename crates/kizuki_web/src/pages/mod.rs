pub mod account;
pub mod admin;
pub mod auth;
pub mod dashboard;
pub mod home;
pub mod invitation;
