//! `amisim`: look inside the simulated cloud and change it out of band.

fn main() {
    println!("amisim {}", env!("CARGO_PKG_VERSION"));
}
