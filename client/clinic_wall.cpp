#include "clinic_wall.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include <glm/geometric.hpp>
#include <imgui.h>

#include "clinic_notices.h"
#include "render/camera.h"
#include "render/scene.h"
#include "sim/phase.h"
#include "ui_strings.h"

namespace caseroom::client {
namespace {

// The board's flat canvas (units: canvas pixels), mapped onto the wall quad.
constexpr float kCanvasW = 640.0f, kCanvasH = 440.0f;
constexpr std::size_t kMaxWallEntries = 4;   // the wall shows the first few; the Board window has them all

ImU32 rgba(int r, int g, int b, int a = 255) { return IM_COL32(r, g, b, a); }

// Adds wrapped text at `pos`; returns the height used.
float wrapped(ImDrawList* d, ImFont* font, float size, ImVec2 pos, ImU32 col, const std::string& s, float width,
              float maxHeight = 1e9f) {
    if (s.empty()) return 0;
    const ImVec2 sz = font->CalcTextSizeA(size, 1e9f, width, s.c_str(), s.c_str() + s.size());
    if (sz.y > maxHeight) {
        // Clip to whole lines: shorten until it fits, with an ellipsis.
        std::string cut = s;
        while (!cut.empty()) {
            cut.resize(cut.size() > 8 ? cut.size() - 8 : 0);
            while (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0x80) cut.pop_back(); // code point boundary
            if (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0x80)) cut.pop_back();
            const std::string t = cut + "...";
            if (font->CalcTextSizeA(size, 1e9f, width, t.c_str(), t.c_str() + t.size()).y <= maxHeight) {
                d->AddText(font, size, pos, col, t.c_str(), t.c_str() + t.size(), width);
                return maxHeight;
            }
        }
        return 0;
    }
    d->AddText(font, size, pos, col, s.c_str(), s.c_str() + s.size(), width);
    return sz.y;
}

// The board's content, drawn on the canvas at the origin.
void drawCanvas(ImDrawList* d, const WallSource& s) {
    ImFont* font = ImGui::GetFont();
    const session::ClinicViewModel& v = *s.clinic;
    const sim::AgendaState& a = v.agenda();
    const sim::AgendaEntry* e = v.currentEntry();
    const float pad = 24.0f, inner = kCanvasW - 2 * pad;
    d->AddRectFilled({0, 0}, {kCanvasW, kCanvasH}, rgba(18, 24, 36, 240), 10.0f);
    d->AddRect({0, 0}, {kCanvasW, kCanvasH}, rgba(90, 110, 140), 10.0f, 0, 3.0f);
    if (!a.hasPlan) return; // (not drawn: drawWallBoard checks)
    // Phase and timer.
    const std::string phase = phaseName(a.phase);
    d->AddText(font, 50, {pad, 12}, rgba(120, 200, 255), phase.c_str());
    // The recording sign: seen by everyone in the room, on the wall, while it records or is paused.
    if (const sim::RecordingState& rec = v.recording(); rec.status != sim::RecordingStatus::Off) {
        const bool live = rec.status == sim::RecordingStatus::Live;
        // Bottom right, clear of the timer and of the entries' "more" line.
        const char* label = live ? "REC" : "REC paused";
        const float w = font->CalcTextSizeA(40, 1e9f, 0, label).x;
        const float x = kCanvasW - pad - w - 36.0f, y = kCanvasH - 52.0f;
        d->AddCircleFilled({x + 14, y + 22}, 14, live ? rgba(225, 30, 30) : rgba(240, 180, 40));
        d->AddText(font, 40, {x + 36, y}, live ? rgba(255, 90, 90) : rgba(240, 180, 40), label);
    }
    const std::string elapsed = clockText(a.phaseStartTick, s.tick, s.tickRate);
    const std::string timer = e && e->plannedSeconds ? text(StringId::WallTimer, {elapsed, clockText(0, e->plannedSeconds, 1.0)}) : elapsed;
    const float tw = font->CalcTextSizeA(46, 1e9f, 0, timer.c_str()).x;
    const double secs = s.tick > a.phaseStartTick ? (s.tick - a.phaseStartTick) / (s.tickRate > 0 ? s.tickRate : 30.0) : 0.0;
    const bool over = e && e->plannedSeconds && secs > e->plannedSeconds;
    d->AddText(font, 46, {kCanvasW - pad - tw, 16}, over ? rgba(255, 170, 80) : rgba(235, 240, 250), timer.c_str());
    float y = 74;
    if (e && e->plannedSeconds) {
        const float frac = std::clamp(static_cast<float>(secs / e->plannedSeconds), 0.0f, 1.0f);
        d->AddRectFilled({pad, y}, {kCanvasW - pad, y + 10}, rgba(50, 60, 80), 5.0f);
        d->AddRectFilled({pad, y}, {pad + inner * frac, y + 10}, over ? rgba(230, 130, 60) : rgba(90, 180, 120), 5.0f);
    }
    y += 20;
    if (e) y += wrapped(d, font, 34, {pad, y}, rgba(240, 240, 240), e->title, inner, 84) + 12;

    if (!sim::isCasePhase(a.phase)) return;
    if (a.phase == sim::Phase::CaseRecommendations || a.phase == sim::Phase::CaseSummary) {
        const std::vector<const sim::BoardEntry*> entries = currentBoard(v);
        std::size_t shown = 0;
        for (const sim::BoardEntry* b : entries) {
            if (shown == kMaxWallEntries || y > kCanvasH - 80) break;
            const std::string line = b->text + "  - " + b->authorName;
            const ImU32 col = b->consensus ? rgba(140, 205, 255) : rgba(225, 228, 235);
            if (b->consensus) {
                d->AddText(font, 26, {pad, y}, rgba(140, 205, 255), tr(StringId::WallConsensus));
                y += 28;
            }
            d->AddCircleFilled({pad + 7, y + 16}, 5.0f, col);
            y += wrapped(d, font, 29, {pad + 20, y}, col, line, inner - 20, std::min(96.0f, kCanvasH - 44 - y)) + 8;
            ++shown;
        }
        if (entries.size() > shown)
            d->AddText(font, 26, {pad, kCanvasH - 40}, rgba(160, 170, 185), text(StringId::WallMore, {std::to_string(entries.size() - shown)}).c_str());
        return;
    }
    // The other case phases: the presenter's question.
    std::string question;
    for (const sim::AgendaEntry& x : v.entries())
        if (x.phase == sim::Phase::CasePresentation && x.caseIndex == a.caseIndex) question = x.question;
    if (!question.empty()) {
        d->AddText(font, 28, {pad, y}, rgba(255, 205, 110), tr(StringId::WallQuestion));
        y += 34;
        wrapped(d, font, 32, {pad, y}, rgba(235, 235, 235), question, inner, kCanvasH - y - 16);
    }
}

// A small raised hand (palm, four fingers, thumb) in the box at `p`, `s` pixels square.
void drawHand(ImDrawList* d, ImVec2 p, float s, ImU32 col) {
    d->AddRectFilled({p.x + 0.22f * s, p.y + 0.45f * s}, {p.x + 0.82f * s, p.y + 0.98f * s}, col, 0.14f * s);
    static constexpr std::array<float, 4> kTop{0.14f, 0.04f, 0.08f, 0.2f};
    for (int k = 0; k < 4; ++k) {
        const float x = p.x + 0.22f * s + static_cast<float>(k) * 0.15f * s;
        d->AddRectFilled({x, p.y + kTop[static_cast<std::size_t>(k)] * s}, {x + 0.12f * s, p.y + 0.6f * s}, col, 0.06f * s);
    }
    d->AddQuadFilled({p.x + 0.22f * s, p.y + 0.55f * s}, {p.x + 0.02f * s, p.y + 0.36f * s},
                     {p.x + 0.1f * s, p.y + 0.3f * s}, {p.x + 0.3f * s, p.y + 0.5f * s}, col);
}

} // namespace

sim::Panel wallBoardPlacement(const sim::RoomLayout& l) {
    sim::Panel board;
    const float frontZ = -l.halfExtents.y;
    float minX = 0.0f;
    float y = 1.7f;
    bool any = false;
    for (const sim::Panel& p : l.panels)
        if (std::abs(p.center.z - frontZ) < 0.3f) {
            minX = any ? std::min(minX, p.center.x - p.width / 2) : p.center.x - p.width / 2;
            y = p.center.y;
            any = true;
        }
    const float space = any ? minX + l.halfExtents.x : 0.0f; // from the left wall to the outermost panel
    board.width = std::min(3.8f, space - 0.4f);
    if (board.width >= 1.2f) {
        board.center = {-l.halfExtents.x + 0.2f + board.width / 2 + (space - 0.4f - board.width) / 2, y, frontZ + 0.04f};
        board.yaw = 3.14159265f; // faces back into the room, as the front panels
    } else {
        board.width = std::min(3.8f, l.halfExtents.x);
        board.center = {0.0f, y, l.halfExtents.y - 0.04f};
        board.yaw = 0.0f;
    }
    board.height = std::min(board.width * kCanvasH / kCanvasW, l.height - 0.5f);
    // Keep it on the wall: between 0.25 m above the floor and 0.25 m below the ceiling.
    board.center.y = std::clamp(board.center.y, 0.25f + board.height / 2, l.height - 0.25f - board.height / 2);
    return board;
}

WallSource wallSource(const session::ClientSession& s) {
    WallSource w;
    w.clinic = &s.clinic();
    w.layout = s.layout();
    w.tick = s.serverTick();
    w.tickRate = s.tickRate();
    return w;
}

void drawWallBoard(ImDrawList* draw, const session::ClientSession& s, const glm::mat4& viewProj, glm::vec3 eye,
                   glm::vec2 viewport) {
    drawWallBoard(draw, wallSource(s), viewProj, eye, viewport);
}

void drawWallBoard(ImDrawList* draw, const WallSource& s, const glm::mat4& viewProj, glm::vec3 eye, glm::vec2 viewport) {
    const sim::RoomLayout* layout = s.layout;
    if (!layout || !draw || !s.clinic || !s.clinic->agenda().hasPlan) return; // a room without a session plan has no agenda to show
    const sim::Panel b = wallBoardPlacement(*layout);
    const glm::vec3 n = render::panelNormal(b);
    if (glm::dot(n, eye - b.center) <= 0.05f) return; // seen from behind or edge-on
    const glm::vec3 up{0, 1, 0};
    const glm::vec3 right = glm::normalize(glm::cross(up, n));
    const glm::vec3 topLeft = b.center - right * (b.width / 2) + up * (b.height / 2);
    auto world = [&](float u, float v) { return topLeft + right * (u / kCanvasW * b.width) - up * (v / kCanvasH * b.height); };
    // Every corner in front of the camera: then every point of the quad is (convex).
    // A corner next to the camera's plane projects far away: not drawn then (and nothing off by far).
    for (const auto& [u, v] : std::array<std::pair<float, float>, 4>{{{0, 0}, {kCanvasW, 0}, {0, kCanvasH}, {kCanvasW, kCanvasH}}}) {
        const auto px = render::projectToPixel(viewProj, world(u, v), viewport);
        if (!px || std::abs(px->x) > 8 * viewport.x || std::abs(px->y) > 8 * viewport.y) return;
    }
    // Draw on the canvas with no clipping (canvas coordinates are not
    // screen ones), then move every new vertex to its projected place.
    draw->PushClipRect(ImVec2(-1e5f, -1e5f), ImVec2(1e5f, 1e5f), false);
    const int first = draw->VtxBuffer.Size;
    drawCanvas(draw, s);
    for (int i = first; i < draw->VtxBuffer.Size; ++i) {
        ImDrawVert& vert = draw->VtxBuffer[i];
        const auto px = render::projectToPixel(viewProj, world(vert.pos.x, vert.pos.y), viewport);
        vert.pos = px ? ImVec2(px->x, px->y) : ImVec2(-1e4f, -1e4f);
    }
    draw->PopClipRect();
}

void drawHandMarkers(ImDrawList* draw, const session::ClientSession& s, const glm::mat4& viewProj, glm::vec2 viewport,
                     bool selfHidden) {
    // Render thread only; kept between frames so a frame allocates nothing once sized.
    static thread_local std::vector<WallSource::Who> people;
    people.clear();
    for (const session::RemoteAvatar& p : s.avatars())
        if (p.hasPose) people.push_back({p.slot, p.pose, p.self && selfHidden});
    WallSource w = wallSource(s);
    w.people = people;
    drawHandMarkers(draw, w, viewProj, viewport);
}

void drawHandMarkers(ImDrawList* draw, const WallSource& s, const glm::mat4& viewProj, glm::vec2 viewport) {
    if (!draw || !s.clinic) return;
    const session::ClinicViewModel& v = *s.clinic;
    ImFont* font = ImGui::GetFont();
    const float fs = ImGui::GetFontSize();
    for (const WallSource::Who& p : s.people) {
        if (p.hidden) continue;
        const core::EntityId id{p.slot};
        const std::size_t pos = v.handPosition(id);
        const bool floor = v.moderation().floor == id;
        if (pos == 0 && !floor) continue;
        const auto px = render::projectToPixel(viewProj, render::nameTagAnchor(p.pose), viewport);
        if (!px || px->x < -50 || px->y < -50 || px->x > viewport.x + 50 || px->y > viewport.y + 50) continue;
        // Above the name tag (its height: the font, 2 x 2 px padding and the 3 px role bar).
        const float bottom = px->y - fs - 7.0f - 3.0f;
        const std::string label = floor ? std::string(tr(StringId::MarkerFloor)) : text(StringId::MarkerHand, {std::to_string(pos)});
        const ImVec2 ts = font->CalcTextSizeA(fs, 1e9f, 0, label.c_str());
        const float icon = floor ? 0.0f : fs + 2.0f;
        const float w = icon + ts.x + 10.0f, h = std::max(icon, ts.y) + 4.0f;
        const ImVec2 min{std::round(px->x - w / 2), std::round(bottom - h)};
        const ImVec2 max{min.x + w, min.y + h};
        const ImU32 fill = floor ? rgba(40, 140, 70, 230) : rgba(60, 48, 16, 230);
        const ImU32 ink = floor ? rgba(255, 255, 255) : rgba(255, 205, 60);
        draw->AddRectFilled(min, max, fill, 5.0f);
        draw->AddRect(min, max, ink, 5.0f, 0, 1.5f);
        if (!floor) drawHand(draw, {min.x + 4.0f, min.y + 2.0f}, icon - 2.0f, ink);
        draw->AddText(font, fs, {min.x + 5.0f + icon, min.y + 2.0f}, ink, label.c_str());
    }
}

} // namespace caseroom::client
