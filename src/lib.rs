//! imlaws: places chat (IM) products under the three laws of IM apps and their seven
//! corollaries (after 攀哥杨攀, 2023), and answers over a console, a CLI and Discord.

#[macro_use]
mod macros;

pub mod answer;
pub mod ask;
pub mod command;
pub mod discord;
pub mod font;
pub mod kb;
pub mod lang;
pub mod map;
pub mod metrics;
pub mod profile;
pub mod render;
pub mod rules;
pub mod verdict;
