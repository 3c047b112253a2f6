//! Reading a 500-character question (issue 3): target median ≤ 20 µs.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use imlaws::kb::Kb;

const EN: &str = "We are a small team building an anonymous chat app where strangers nearby can meet, \
match and talk. Users pick nicknames and avatars instead of real names, and we do not want it to be \
a tool for work or for companies. Think of it as a Momo for pet owners: people who love dogs and cats \
find each other, chat, and maybe go for a walk together. We launch on smartphones first, iOS and \
Android, and we are not trying to replace WeChat. Is this a good position, what does the article say? Thanks a lot!";

const ZH: &str = "我们是一个小团队，想做一款面向附近陌生人的匿名交友聊天应用。用户使用昵称和虚拟形象，不需要实名，\
也不是给公司员工办公用的工具。可以把它理解成宠物主人的陌陌：喜欢猫狗的人在这里认识彼此、聊天、约着一起遛狗。\
我们先在手机上发布，支持安卓和苹果，不打算挑战微信，也不做企业市场。我们还考虑以后支持VR眼镜，但现在没有。\
请问这个定位怎么样？文章里的定律怎么看？我们应该注意什么？需要补充哪些信息才能判断得更准确呢？谢谢！我们很期待你的分析和建议，也欢迎指出问题。\
我们的目标用户是一二线城市的年轻人，他们平时工作忙，希望在周末认识同样喜欢宠物的新朋友，一起参加线下活动，分享养宠经验和照片。";

fn ask(c: &mut Criterion) {
    let kb = Kb::builtin().expect("knowledge base");
    for (name, text) in [("en", EN), ("zh", ZH)] {
        let text: String = text.repeat(2).chars().take(500).collect();
        assert_eq!(text.chars().count(), 500, "{name} question is 500 characters");
        c.bench_function(&format!("ask/read-500-chars/{name}"), |b| {
            b.iter(|| kb.lexicon.read(black_box(&text)).map(|r| r.input))
        });
    }
}

criterion_group!(benches, ask);
criterion_main!(benches);
