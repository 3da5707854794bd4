//! `rampart config check|show`.

use rampart_engine::{config, Config};

use crate::args::ConfigCommand;
use crate::Outcome;

pub(crate) fn run(command: ConfigCommand) -> anyhow::Result<Outcome> {
    match command {
        ConfigCommand::Check { file } => {
            config::load(&file).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}: ok", file.display());
        }
        ConfigCommand::Show => {
            let yaml = serde_saphyr::to_string(&Config::default())?;
            print!("# Every setting with its default value.\n{yaml}");
        }
    }
    Ok(Outcome::Clean)
}
