// The UI font: names are written in many scripts ("Nguyễn Thị Lan",
// "Ørsted", "Δημήτρης", "Шевченко"), and Dear ImGui's built-in font covers
// Latin-1 only. loadUiFont adds Noto Sans (Debian's fonts-noto-core) with the
// ranges below, merges DejaVu Sans under it for any glyph Noto lacks, and
// falls back to the built-in font with a warning when neither is installed.
// Pure Dear ImGui (no Vulkan): call before the renderer uploads the atlas
// (createImGuiLayer). Text is drawn precomposed; ImGui does no shaping, so a
// decomposed name ("e" + U+0302 + U+0303) shows its marks as drawn by the font.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>

namespace caseroom::render {

// Where the fonts are looked for, in order (first found is the main font).
std::vector<std::string> defaultUiFontPaths();
// Basic Latin, Latin-1, Latin Extended-A and -B, spacing modifiers (ʻ),
// combining diacriticals, Greek, Cyrillic (+ supplement), Latin Extended
// Additional (Vietnamese), general punctuation, currency, letterlike, U+FFFD.
const ImWchar* uiGlyphRanges();

struct UiFontDesc {
    float sizePixels = 15.0f;
    std::vector<std::string> paths; // empty: defaultUiFontPaths()
};

struct UiFontChoice {
    std::string main;                // path of the main font; empty: the built-in font
    std::vector<std::string> merged; // fonts merged under it for missing glyphs
    bool wide = false;               // the wide ranges are loaded (false: Latin-1 only)
};

// Clears `atlas`, adds the fonts and builds it. A path that does not exist,
// cannot be read or is not a TrueType/OpenType file is skipped. Logs one
// info line naming the font, or one warning when only the built-in font is left.
UiFontChoice loadUiFont(ImFontAtlas& atlas, const UiFontDesc& desc = {});

// Characters of UTF-8 `text` that `font` has no glyph for (each is drawn as
// the font's fallback glyph); invalid UTF-8 counts one per bad sequence.
std::size_t missingGlyphs(const ImFont& font, std::string_view text);

} // namespace caseroom::render
