pub mod account;
pub mod admin;
pub mod auth;
pub mod catalogue;
pub mod dashboard;
pub mod home;
pub mod invitation;
pub mod manage;
