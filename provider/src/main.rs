//! `terraform-provider-amisim`: the plugin binary Terraform starts.

use std::process::ExitCode;

use amisim_provider::{logging, nodelay, provider::AmisimProvider, watchdog, MAGIC_COOKIE, NAME};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args
        .iter()
        .any(|a| a == "--version" || a == "-version" || a == "version")
    {
        println!("terraform-provider-amisim {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    if std::env::var("TF_PLUGIN_MAGIC_COOKIE").as_deref() != Ok(MAGIC_COOKIE) {
        eprintln!(
            "This binary is a plugin. These are not meant to be executed directly.\n\
             Please execute the program that consumes these plugins, which will\n\
             load any plugins automatically"
        );
        return ExitCode::from(1);
    }
    // Diagnostics built by tf-provider itself would carry a backtrace when RUST_BACKTRACE is set.
    std::env::set_var("RUST_LIB_BACKTRACE", "0");
    logging::init();
    watchdog::install(1);
    nodelay::install();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("terraform-provider-amisim: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(tf_provider::serve(NAME, AmisimProvider::new())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("terraform-provider-amisim: {e}");
            ExitCode::from(1)
        }
    }
}
