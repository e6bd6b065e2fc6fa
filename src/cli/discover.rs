//! `scimcheck discover`: what a server says it supports.

use clap::Args;

use super::list::ListFormat;
use super::shared::TargetArgs;

#[derive(Debug, Clone, Args)]
pub struct DiscoverArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}
