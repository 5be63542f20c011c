#pragma once
// The text form of a checkpoint name pattern (docs/CONFIG.md, `checkpoints`):
// "epoch={epoch}-step={step}.ckpt", "checkpoint-{step}", "model.{epoch:02d}-{val_loss:.2f}.h5".

#include <string_view>
#include <vector>

#include "config/model.hpp"
#include "util/expected.hpp"

namespace mv::config {

/// Literal text and {placeholders} (a Python format spec after ':' is ignored). Refuses
/// '/', unbalanced braces, placeholder names other than [A-Za-z_][A-Za-z0-9_]*, two
/// placeholders in a row, and a pattern without any; the error says what to write.
Result<std::vector<PatternPart>> parse_checkpoint_pattern(std::string_view text);

} // namespace mv::config
