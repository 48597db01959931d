//! The `askpro` admin CLI: argv → `cli::run` → exit code.

fn main() {
    let code = askpro::cli::run(std::env::args_os().collect());
    std::process::exit(code);
}
