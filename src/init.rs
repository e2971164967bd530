//! `archive init DIR`: scaffolds a new archive that builds at once with the
//! built-in default theme. Never overwrites: the folder must be new or empty.

use std::path::Path;

use crate::error::{Error, Result};

const SITE: &str = r#"# Settings of this archive. See the speech-archive README for every key.
title = "讲话档案"
description = "地方政府讲话文本档案"
base_url = "https://example.org/"
language = "zh-CN"
# A folder under themes/; "default" is built into the archive program.
theme = "default"
paginate_by = 20

# Topic → keywords: a document whose title or body holds a keyword gets the topic.
[theme_rules]
"驻村帮扶" = ["驻村", "第一书记"]
"#;

const SAMPLE: &str = r#"---
title: 在全市脱贫攻坚工作会议上的讲话
date: 2020-01
speaker: 张三
speaker_title: 示例市人民政府市长
city: 示例市
province: 示例省
occasion: 全市脱贫攻坚工作会议
kind: speech
themes: [脱贫摘帽]
summary: 一篇示例讲话，演示内容文件的格式。
---

同志们：

这是一篇示例讲话。把它换成真实的文本，或者用 `archive import` 导入原始文本。

## 一、第一部分

正文段落。
"#;

const README: &str = "# 讲话档案\n\nBuilt with speech-archive.\n\n- `archive build` writes the site to `public/`.\n- `archive check` validates every content file.\n\nContent lives in `content/speeches/<year>/<slug>.md`.\n";

/// Creates the archive in `dir`, which must be new or empty (a usage error
/// otherwise).
pub fn init(dir: &Path) -> Result<()> {
    if dir.exists() && std::fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))?.next().is_some() {
        return Err(Error::Usage(format!(
            "{} is not empty; init never overwrites files: choose a new folder",
            dir.display()
        )));
    }
    let files = [
        ("site.toml", SITE),
        ("content/speeches/2020/zhang-san-2020-sample.md", SAMPLE),
        ("content/pages/about.md", "---\ntitle: 关于本档案\n---\n\n说明本档案的来源与整理方法。\n"),
        ("README.md", README),
    ];
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))?;
    }
    Ok(())
}
