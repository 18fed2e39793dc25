//! The hostile suite: one test per way an adversary was found to misuse the
//! emulator, each asserting the exact refusal.

#[path = "../common/mod.rs"]
mod common;

mod consent;
mod hardening;
mod limits;
mod state;
