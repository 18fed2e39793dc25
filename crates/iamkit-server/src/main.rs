//! `iamkit`: the command line of the emulator (see [`iamkit_server::cli`]).

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(iamkit_server::cli::run(std::env::args_os()))
}
