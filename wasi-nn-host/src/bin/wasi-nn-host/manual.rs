//! Shell completions and the man page, both generated from the clap definition, so they cannot
//! drift from the flags. The committed page `wasi-nn-host/doc/wasi-nn-host.1` is checked against
//! `wasi-nn-host man` by the CLI tests.

use std::process::ExitCode;

/// Prints a completion script for a shell.
#[derive(clap::Args, Debug, Clone)]
pub struct CompletionCommand {
    /// The shell: bash, elvish, fish, powershell or zsh.
    shell: clap_complete::Shell,
}

impl CompletionCommand {
    /// Prints the script for `command` (the whole CLI) to stdout.
    pub fn execute(self, mut command: clap::Command) -> anyhow::Result<ExitCode> {
        let name = command.get_name().to_owned();
        clap_complete::generate(self.shell, &mut command, name, &mut std::io::stdout());
        Ok(ExitCode::SUCCESS)
    }
}

/// Prints the man page. The version is left out, so that the committed page changes only when
/// the flags do.
pub fn man(command: clap::Command) -> anyhow::Result<ExitCode> {
    let command = command.version(None::<&str>);
    let mut page = Vec::new();
    clap_mangen::Man::new(command).render(&mut page)?;
    let mut out = std::io::stdout().lock();
    use std::io::Write;
    out.write_all(
        b".\\\" Generated from the clap definition by `wasi-nn-host man`; regenerate with\n\
          .\\\" cargo run -p wasi-nn-host -- man > wasi-nn-host/doc/wasi-nn-host.1\n",
    )?;
    out.write_all(&page)?;
    Ok(ExitCode::SUCCESS)
}
