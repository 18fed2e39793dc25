//! The hostile suite: one test per way an adversary was found to misuse the
//! emulator, each asserting the exact refusal (issue 15's findings).

#[path = "../common/mod.rs"]
mod common;

mod consent;
mod hardening;
mod limits;
