//! Reads one 500-character Chinese question N times: a fixed workload for
//! `valgrind --tool=callgrind`, whose instruction counts stay the same from run to run
//! where this VM's timings do not (see BENCHMARKS.md).
//!
//! cargo build --profile profiling --example ask_loop
//! valgrind --tool=callgrind target/profiling/examples/ask_loop 1000   (and 0, to subtract start-up)

fn main() {
    let kb = imlaws::kb::Kb::builtin().unwrap();
    let zh = "我们是一个小团队，想做一款面向附近陌生人的匿名交友聊天应用。用户使用昵称和虚拟形象，不需要实名，也不是给公司员工办公用的工具。可以把它理解成宠物主人的陌陌：喜欢猫狗的人在这里认识彼此、聊天、约着一起遛狗。我们先在手机上发布，支持安卓和苹果，不打算挑战微信，也不做企业市场。我们还考虑以后支持VR眼镜，但现在没有。".repeat(3);
    let text: String = zh.chars().take(500).collect();
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let mut ok = 0;
    for _ in 0..n {
        if kb.lexicon.read(std::hint::black_box(&text)).is_ok() {
            ok += 1;
        }
    }
    println!("{ok}");
}
