#include "render/ui_font.h"

#include <cstring>
#include <fstream>
#include <iterator>

#include "core/log.h"

namespace caseroom::render {
namespace {

// The whole file, or empty when it is missing, unreadable, too large or not
// a font (Dear ImGui asserts on a file it cannot load or parse).
std::vector<char> fontBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() < 12 || bytes.size() > (64u << 20)) return {};
    const std::string_view magic(bytes.data(), 4);
    if (magic != std::string_view("\0\1\0\0", 4) && magic != "true" && magic != "OTTO") return {};
    return bytes;
}

bool addFont(ImFontAtlas& atlas, const std::vector<char>& bytes, float size, bool merge) {
    // The atlas frees the copy (IM_FREE) when it is cleared or destroyed.
    void* copy = IM_ALLOC(bytes.size());
    std::memcpy(copy, bytes.data(), bytes.size());
    ImFontConfig cfg;
    cfg.MergeMode = merge;
    cfg.OversampleH = 2; // half the atlas of the default 3, no visible loss at UI sizes
    cfg.OversampleV = 1;
    return atlas.AddFontFromMemoryTTF(copy, static_cast<int>(bytes.size()), size, &cfg, uiGlyphRanges()) != nullptr;
}

} // namespace

std::vector<std::string> defaultUiFontPaths() {
    return {
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", // Debian, Ubuntu: fonts-noto-core
        "/usr/share/fonts/noto/NotoSans-Regular.ttf",          // Arch
        "/usr/share/fonts/google-noto/NotoSans-Regular.ttf",   // Fedora
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",     // Debian: fonts-dejavu-core
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
    };
}

const ImWchar* uiGlyphRanges() {
    static const ImWchar ranges[] = {
        0x0020, 0x00FF, // Basic Latin, Latin-1 Supplement
        0x0100, 0x024F, // Latin Extended-A and -B
        0x02B0, 0x036F, // Spacing Modifier Letters, Combining Diacritical Marks
        0x0370, 0x03FF, // Greek and Coptic
        0x0400, 0x052F, // Cyrillic, Cyrillic Supplement
        0x1E00, 0x1EFF, // Latin Extended Additional (Vietnamese)
        0x2000, 0x206F, // General Punctuation
        0x20A0, 0x20CF, // Currency Symbols
        0x2100, 0x214F, // Letterlike Symbols
        0xFFFD, 0xFFFD, // the replacement character: the fallback glyph
        0,
    };
    return ranges;
}

UiFontChoice loadUiFont(ImFontAtlas& atlas, const UiFontDesc& desc) {
    atlas.Clear();
    UiFontChoice choice;
    const std::vector<std::string> paths = desc.paths.empty() ? defaultUiFontPaths() : desc.paths;
    for (const std::string& path : paths) {
        const std::vector<char> bytes = fontBytes(path);
        if (bytes.empty()) continue;
        if (!addFont(atlas, bytes, desc.sizePixels, !choice.main.empty())) continue;
        if (choice.main.empty()) choice.main = path;
        else choice.merged.push_back(path);
        if (choice.merged.size() == 1) break; // a main font and one to fill its gaps
    }
    if (!choice.main.empty() && atlas.Build()) {
        choice.wide = true;
        const std::string gaps = choice.merged.empty() ? std::string() : " (missing glyphs from " + choice.merged.front() + ")";
        CR_LOG_INFO("UI font: %s%s, %.0f px", choice.main.c_str(), gaps.c_str(), static_cast<double>(desc.sizePixels));
        return choice;
    }
    atlas.Clear();
    atlas.AddFontDefault();
    atlas.Build();
    std::string looked;
    for (const std::string& p : paths) looked += (looked.empty() ? "" : ", ") + p;
    CR_LOG_WARN("UI font: none of %s could be loaded; using Dear ImGui's built-in font, which shows only Latin-1 "
                "(names such as \"Nguyễn\" lose letters). Install fonts-noto-core.",
                looked.c_str());
    return UiFontChoice{};
}

std::size_t missingGlyphs(const ImFont& font, std::string_view text) {
    std::size_t missing = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto b = static_cast<unsigned char>(text[i]);
        const std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        bool ok = len > 0 && i + len <= text.size();
        std::uint32_t c = len == 1 ? b : len == 2 ? (b & 0x1Fu) : len == 3 ? (b & 0x0Fu) : (b & 0x07u);
        for (std::size_t k = 1; ok && k < len; ++k) {
            const auto cb = static_cast<unsigned char>(text[i + k]);
            if ((cb & 0xC0) != 0x80) ok = false;
            else c = (c << 6) | (cb & 0x3Fu);
        }
        if (!ok) {
            ++missing;
            ++i;
            continue;
        }
        i += len;
        if (c < 0x20) continue; // control characters are not drawn
        if ((sizeof(ImWchar) == 2 && c > 0xFFFF) || font.FindGlyphNoFallback(static_cast<ImWchar>(c)) == nullptr) ++missing;
    }
    return missing;
}

} // namespace caseroom::render
