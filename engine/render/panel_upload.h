// Renderer internals for panel content (panel_upload.cpp): the blank image,
// the per-panel descriptor sets and uniform data, and the upload jobs that
// move slides through the staging ring. Render thread only; called from
// renderer.cpp at the points its frame protocol names.
#pragma once
#include <vulkan/vulkan.h>

#include "render/renderer.h"

namespace caseroom::render::detail {

// The scene's viewport (flipped) and a full scissor. Dear ImGui sets its own
// (unflipped) viewport: screen slots drawn after the UI set this one again,
// or their quads' winding turns and culling drops them.
void setViewport(VkCommandBuffer cmd, VkExtent2D extent);
// createRenderer: formats, blank image, uniform buffer, staging ring.
void createPanelContent(Renderer& r);
void destroyPanelContent(Renderer& r);
// A new layout with `count` panels: panels with no slide get a test card.
void queueTestCards(Renderer& r, std::uint32_t count);
// beginFrame, after the slot was waited and before the render pass: frees
// ring space of the finished frame, records copies, mip blits and layout
// transitions into `cmd`, and swaps in every completed image.
void recordPanelUploads(Renderer& r, VkCommandBuffer cmd);
// endFrame, at submit: pins the ring space this frame used.
void markPanelUploads(Renderer& r);
// drawScene: writes this frame's uniform data for slide slot `p` at entry
// `at` (default: p) of the frame's block; returns its dynamic offset.
// Screen draws and faces use their own entries (renderer.h kParamEntries).
std::uint32_t writePanelParams(Renderer& r, std::uint32_t p, float panelAspect, std::uint32_t at = UINT32_MAX);

} // namespace caseroom::render::detail
