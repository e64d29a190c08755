// [SECTION] formats and params (pure)  [SECTION] CPU mipmaps
// [SECTION] create/destroy  [SECTION] public API  [SECTION] upload jobs
#include "render/panel_upload.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <glm/common.hpp>

#include "core/log.h"
#include "render/vk_check.h"

namespace caseroom::render {

// [SECTION] formats and params (pure)
const char* toString(SlideFormat f) {
    switch (f) {
    case SlideFormat::R8: return "r8";
    case SlideFormat::R16: return "r16";
    case SlideFormat::Rgba8: return "rgba8";
    case SlideFormat::I420: return "i420";
    case SlideFormat::Count: break;
    }
    return "?";
}

std::uint32_t bytesPerPixel(SlideFormat f) {
    switch (f) {
    case SlideFormat::R8: return 1;
    case SlideFormat::R16: return 2;
    case SlideFormat::Rgba8: return 4;
    case SlideFormat::I420: return 1;
    case SlideFormat::Count: break;
    }
    return 0;
}

std::uint32_t textureRows(SlideFormat f, std::uint32_t height) {
    return f == SlideFormat::I420 ? height / 2 * 3 : height;
}

void packI420(std::uint32_t width, std::uint32_t height, std::span<const std::uint8_t> y,
              std::span<const std::uint8_t> cb, std::span<const std::uint8_t> cr, std::vector<std::uint8_t>& out) {
    const std::size_t w = width, h = height, cw = w / 2, ch = h / 2;
    out.resize(w * h + 2 * cw * ch);
    if (y.size() < w * h || cb.size() < cw * ch || cr.size() < cw * ch) return;
    std::memcpy(out.data(), y.data(), w * h);
    std::uint8_t* rows = out.data() + w * h;
    for (std::size_t r = 0; r < ch; ++r) {
        std::memcpy(rows + r * w, cb.data() + r * cw, cw);
        std::memcpy(rows + r * w + cw, cr.data() + r * cw, cw);
    }
}

glm::vec3 bt601ToRgb(std::uint8_t y, std::uint8_t cb, std::uint8_t cr) {
    const float l = 1.164384f * (static_cast<float>(y) - 16.0f) / 255.0f;
    const float b = (static_cast<float>(cb) - 128.0f) / 255.0f, r = (static_cast<float>(cr) - 128.0f) / 255.0f;
    return glm::clamp(glm::vec3(l + 1.596027f * r, l - 0.391762f * b - 0.812968f * r, l + 2.017232f * b), 0.0f, 1.0f);
}

namespace {

VkFormat vkFormat(SlideFormat f) {
    switch (f) {
    case SlideFormat::R8: return VK_FORMAT_R8_UNORM;
    case SlideFormat::R16: return VK_FORMAT_R16_UNORM;
    case SlideFormat::Rgba8: return VK_FORMAT_R8G8B8A8_UNORM;
    case SlideFormat::I420: return VK_FORMAT_R8_UNORM;
    case SlideFormat::Count: break;
    }
    return VK_FORMAT_UNDEFINED;
}

float finiteOr(double v, float fallback) { return std::isfinite(v) ? static_cast<float>(v) : fallback; }

} // namespace

PanelParams panelParams(const PanelDisplay& d, SlideFormat format, std::uint32_t imageWidth, std::uint32_t imageHeight,
                        float panelAspect, bool fill, bool srgbTarget) {
    PanelParams p;
    const bool grey = format == SlideFormat::R8 || format == SlideFormat::R16;
    const float pa = panelAspect > 0.0f && std::isfinite(panelAspect) ? panelAspect : 1.0f;
    float sx = 1.0f, sy = 1.0f; // fraction of the panel the whole image covers at zoom 1
    if (!fill && imageWidth > 0 && imageHeight > 0) {
        const float ia = static_cast<float>(imageWidth) / static_cast<float>(imageHeight);
        if (ia > pa) sy = pa / ia;
        else sx = ia / pa;
    }
    float zoom = fill ? 1.0f : finiteOr(d.view.zoom, 1.0f);
    zoom = std::clamp(zoom, 1.0f, sim::kMaxZoom);
    const float cx = fill ? 0.5f : std::clamp(finiteOr(d.view.centerX, 0.5f), 0.0f, 1.0f);
    const float cy = fill ? 0.5f : std::clamp(finiteOr(d.view.centerY, 0.5f), 0.0f, 1.0f);
    p.view = {cx, cy, 1.0f / (sx * zoom), 1.0f / (sy * zoom)};
    const float scale = format == SlideFormat::R8 ? 255.0f : format == SlideFormat::R16 ? 65535.0f : 1.0f;
    p.value = {scale, finiteOr(d.signedBias, 0.0f), finiteOr(d.rescaleSlope, 1.0f), finiteOr(d.rescaleIntercept, 0.0f)};
    // media::applyWindow: c = centre - 0.5, w = max(width, 1), edges at c +- (w - 1) / 2.
    const double w = std::isfinite(d.windowWidth) ? std::max(d.windowWidth, 1.0) : 1.0;
    const double c = (std::isfinite(d.windowCentre) ? d.windowCentre : 0.0) - 0.5;
    p.window = {static_cast<float>(c), static_cast<float>((w - 1.0) / 2.0), static_cast<float>(w - 1.0),
                grey ? 1.0f : format == SlideFormat::I420 ? 2.0f : 0.0f};
    const std::uint32_t dots = std::min(d.dotCount, kMaxLaserDots);
    p.misc = {grey && d.invert ? 1.0f : 0.0f, static_cast<float>(dots), std::clamp(d.dotRadius, 0.0f, 0.5f), pa};
    p.target = {srgbTarget ? 1.0f : 0.0f, 0.0f, 0.0f, 0.0f};
    for (std::uint32_t i = 0; i < dots; ++i) {
        glm::vec4& slot = p.dots[i / 2];
        const float u = std::isfinite(d.dots[i].u) ? d.dots[i].u : -1.0f;
        const float v = std::isfinite(d.dots[i].v) ? d.dots[i].v : -1.0f;
        if (i % 2 == 0) { slot.x = u; slot.y = v; }
        else { slot.z = u; slot.w = v; }
    }
    return p;
}

glm::vec2 imageUvAt(const PanelParams& p, glm::vec2 panelUv) {
    return glm::vec2(p.view.x, p.view.y) + (panelUv - 0.5f) * glm::vec2(p.view.z, p.view.w);
}

namespace {

// [SECTION] CPU mipmaps
// Box filter, 2x2 -> 1 (edge texels repeat on odd sizes); used when the
// format cannot be blitted with a linear filter.
template <typename T>
void halve(const T* src, std::uint32_t sw, std::uint32_t sh, std::uint32_t channels, T* dst) {
    const std::uint32_t dw = std::max(1u, sw / 2), dh = std::max(1u, sh / 2);
    for (std::uint32_t y = 0; y < dh; ++y) {
        const std::uint32_t y0 = std::min(2 * y, sh - 1), y1 = std::min(2 * y + 1, sh - 1);
        for (std::uint32_t x = 0; x < dw; ++x) {
            const std::uint32_t x0 = std::min(2 * x, sw - 1), x1 = std::min(2 * x + 1, sw - 1);
            for (std::uint32_t c = 0; c < channels; ++c) {
                const std::uint32_t sum = std::uint32_t{src[(std::size_t{y0} * sw + x0) * channels + c]} +
                                          src[(std::size_t{y0} * sw + x1) * channels + c] +
                                          src[(std::size_t{y1} * sw + x0) * channels + c] +
                                          src[(std::size_t{y1} * sw + x1) * channels + c];
                dst[(std::size_t{y} * dw + x) * channels + c] = static_cast<T>((sum + 2) / 4);
            }
        }
    }
}

void buildCpuMips(PanelUpload& u) {
    u.cpuMips.resize(u.levels - 1);
    const std::uint32_t bpp = bytesPerPixel(u.pixels.format);
    std::uint32_t w = u.pixels.width, h = u.pixels.height;
    const std::uint8_t* src = u.pixels.bytes.data();
    for (std::uint32_t l = 1; l < u.levels; ++l) {
        const std::uint32_t dw = std::max(1u, w / 2), dh = std::max(1u, h / 2);
        auto& dst = u.cpuMips[l - 1];
        dst.resize(std::size_t{dw} * dh * bpp);
        if (u.pixels.format == SlideFormat::R16) {
            std::vector<std::uint16_t> s16(std::size_t{w} * h), d16(std::size_t{dw} * dh);
            std::memcpy(s16.data(), src, s16.size() * 2);
            halve(s16.data(), w, h, 1, d16.data());
            std::memcpy(dst.data(), d16.data(), dst.size());
        } else {
            halve(src, w, h, bpp, dst.data());
        }
        src = dst.data();
        w = dw;
        h = dh;
    }
}

void barrier(VkCommandBuffer cmd, VkImage image, std::uint32_t baseLevel, std::uint32_t levels, VkImageLayout from,
             VkImageLayout to, VkPipelineStageFlags srcStage, VkAccessFlags srcAccess, VkPipelineStageFlags dstStage,
             VkAccessFlags dstAccess) {
    transitionImage(cmd, image, from, to, srcStage, srcAccess, dstStage, dstAccess, baseLevel, levels);
}

VkDescriptorSet allocatePanelSet(Renderer& r, VkImageView view) {
    VkDescriptorSetAllocateInfo alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    alloc.descriptorPool = r.descriptorPool;
    alloc.descriptorSetCount = 1;
    alloc.pSetLayouts = &r.panelSetLayout;
    VkDescriptorSet set = VK_NULL_HANDLE;
    VK_CHECK(vkAllocateDescriptorSets(r.dev->device, &alloc, &set));
    VkDescriptorImageInfo image{r.sampler, view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    VkDescriptorBufferInfo params{r.panelUniforms.buffer, 0, sizeof(PanelParams)};
    std::array<VkWriteDescriptorSet, 2> writes{};
    writes[0].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    writes[0].dstSet = set;
    writes[0].dstBinding = 0;
    writes[0].descriptorCount = 1;
    writes[0].descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
    writes[0].pImageInfo = &image;
    writes[1].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    writes[1].dstSet = set;
    writes[1].dstBinding = 1;
    writes[1].descriptorCount = 1;
    writes[1].descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC;
    writes[1].pBufferInfo = &params;
    vkUpdateDescriptorSets(r.dev->device, static_cast<std::uint32_t>(writes.size()), writes.data(), 0, nullptr);
    return set;
}

bool srgbTarget(const Target& t) {
    return t.colorFormat == VK_FORMAT_B8G8R8A8_SRGB || t.colorFormat == VK_FORMAT_R8G8B8A8_SRGB;
}

PanelUpload* findUpload(Renderer& r, std::uint32_t panel) {
    for (PanelUpload& u : r.uploads)
        if (u.panel == panel && !u.cancelled) return &u;
    return nullptr;
}

// Queues `pixels` for `panel`; an unstarted upload for the panel is
// replaced in place, a started one is cancelled (its image freed safely later).
void queueUpload(Renderer& r, std::uint32_t panel, SlidePixels pixels, const PanelDisplay& display, bool card) {
    ++r.stats.uploadsQueued;
    if (PanelUpload* old = findUpload(r, panel)) {
        ++r.stats.uploadsDropped;
        if (!old->started) {
            old->pixels = std::move(pixels);
            old->display = display;
            old->card = card;
            old->cpuMips.clear();
            return;
        }
        old->cancelled = true;
    }
    PanelUpload u;
    u.panel = panel;
    u.pixels = std::move(pixels);
    u.display = display;
    u.card = card;
    r.uploads.push_back(std::move(u));
}

} // namespace

namespace detail {

// [SECTION] create/destroy
void createPanelContent(Renderer& r) {
    Device& dev = *r.dev;
    for (std::size_t i = 0; i < static_cast<std::size_t>(SlideFormat::Count); ++i) {
        VkFormatProperties fp{};
        vkGetPhysicalDeviceFormatProperties(dev.physical, vkFormat(static_cast<SlideFormat>(i)), &fp);
        const VkFormatFeatureFlags f = fp.optimalTilingFeatures;
        r.formatOk[i] = (f & VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT) && (f & VK_FORMAT_FEATURE_TRANSFER_DST_BIT);
        r.blitMips[i] = (f & VK_FORMAT_FEATURE_BLIT_SRC_BIT) && (f & VK_FORMAT_FEATURE_BLIT_DST_BIT) &&
                        (f & VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT);
    }
    CR_LOG_INFO("panel slides: r8 %s, r16 %s, rgba8 %s (mipmaps: blit or cpu)",
                r.formatOk[0] ? (r.blitMips[0] ? "blit" : "cpu") : "unsupported",
                r.formatOk[1] ? (r.blitMips[1] ? "blit" : "cpu") : "unsupported",
                r.formatOk[2] ? (r.blitMips[2] ? "blit" : "cpu") : "unsupported");
    const VkDeviceSize align = std::max<VkDeviceSize>(dev.properties.limits.minUniformBufferOffsetAlignment, 16);
    r.panelParamStride = (sizeof(PanelParams) + align - 1) / align * align;
    r.panelUniforms = createBuffer(dev, r.panelParamStride * kParamEntries * kFramesInFlight,
                                   VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT, true);
    createStagingRing(dev, r.staging, r.desc.stagingBytes);
    // At least one widest row (4096 RGBA8 texels) a frame, or nothing would ever move.
    r.desc.uploadBytesPerFrame = std::max<VkDeviceSize>(r.desc.uploadBytesPerFrame, VkDeviceSize{kMaxPanelSize} * 4);
    ImageDesc d;
    d.extent = {1, 1};
    d.usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
    r.blank = createImage(dev, d);
    const std::uint8_t black[4] = {0, 0, 0, 255};
    // Once, at creation: the only blocking upload the renderer makes.
    if (!uploadRgba(dev, r.blank, black)) CR_LOG_ERROR("blank panel image: device lost");
    for (PanelContent& pc : r.panels) pc.set = allocatePanelSet(r, r.blank.view);
    r.uploads.reserve(kSlideSlots * 2);
    for (Buffer& b : r.thumbVertices)
        b = createBuffer(dev, sizeof(Vertex) * 6 * kScreenSlots, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, true);
    for (Buffer& b : r.faceVertices)
        b = createBuffer(dev, sizeof(Vertex) * 6 * kMaxVideoTiles, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, true);
}

void destroyPanelContent(Renderer& r) {
    Device& dev = *r.dev;
    for (PanelUpload& u : r.uploads) destroyImage(dev, u.image);
    r.uploads.clear();
    for (PanelContent& pc : r.panels) destroyImage(dev, pc.image);
    for (Renderer::SpareImage& s : r.spareImages) destroyImage(dev, s.image);
    r.spareImages.clear();
    destroyImage(dev, r.blank);
    destroyBuffer(dev, r.panelUniforms);
    for (Buffer& b : r.thumbVertices) destroyBuffer(dev, b);
    for (Buffer& b : r.faceVertices) destroyBuffer(dev, b);
    destroyStagingRing(dev, r.staging);
}

void queueTestCards(Renderer& r, std::uint32_t count) {
    for (std::uint32_t p = 0; p < count && p < kMaxPanels; ++p) {
        if (r.panels[p].image.image != VK_NULL_HANDLE || findUpload(r, p)) continue;
        const RgbaImage card = makeTestCard(r.desc.panelWidth, r.desc.panelHeight, p);
        SlidePixels px;
        px.width = card.width;
        px.height = card.height;
        px.format = SlideFormat::Rgba8;
        px.bytes = card.pixels;
        px.mipmaps = false; // as before: the reference images were made without
        queueUpload(r, p, std::move(px), PanelDisplay{}, true);
    }
}

// [SECTION] upload jobs
namespace {

constexpr std::size_t kMaxSpareImages = 8;

// A replaced image: kept for reuse by a slide of the same shape (a cine loop
// swaps one every frame), so steady playback allocates no device memory.
void retireImage(Renderer& r, Image img) {
    if (img.image == VK_NULL_HANDLE) return;
    if (r.spareImages.size() >= kMaxSpareImages) {
        deferDestroy(r.frames, r.spareImages.front().image);
        r.spareImages.erase(r.spareImages.begin());
    }
    r.spareImages.push_back({img, r.frames.frameNumber});
}

// A spare image no frame in flight can still read: retired while recording
// frame R, it was last drawn by frame R - 1, finished once frame
// R - 1 + kFramesInFlight has begun.
Image takeSpare(Renderer& r, VkFormat format, VkExtent2D extent, std::uint32_t levels, bool blit) {
    for (std::size_t i = 0; i < r.spareImages.size(); ++i) {
        const Renderer::SpareImage& s = r.spareImages[i];
        if (s.image.format == format && s.image.extent.width == extent.width && s.image.extent.height == extent.height &&
            s.image.mipLevels == levels && s.retiredAt + kFramesInFlight <= r.frames.frameNumber && !blit) {
            const Image img = s.image;
            r.spareImages.erase(r.spareImages.begin() + static_cast<std::ptrdiff_t>(i));
            return img;
        }
    }
    return Image{};
}

void startUpload(Renderer& r, PanelUpload& u, VkCommandBuffer cmd) {
    const std::uint32_t side = std::max(u.pixels.width, u.pixels.height);
    const bool mips = u.pixels.mipmaps && u.pixels.format != SlideFormat::I420; // packed planes do not filter down
    u.levels = mips ? static_cast<std::uint32_t>(std::floor(std::log2(double(side)))) + 1 : 1;
    const auto fi = static_cast<std::size_t>(u.pixels.format);
    u.blit = u.levels > 1 && r.blitMips[fi] && !r.desc.cpuMipmaps;
    if (u.levels > 1 && !u.blit) buildCpuMips(u);
    ImageDesc d;
    d.extent = {u.pixels.width, textureRows(u.pixels.format, u.pixels.height)};
    d.format = vkFormat(u.pixels.format);
    d.mipLevels = u.levels;
    d.usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT | (u.blit ? VK_IMAGE_USAGE_TRANSFER_SRC_BIT : 0);
    // Spares are made without TRANSFER_SRC, so only non-blit uploads reuse them.
    u.image = takeSpare(r, d.format, d.extent, d.mipLevels, u.blit);
    if (u.image.image == VK_NULL_HANDLE) {
        u.image = createImage(*r.dev, d);
        ++r.stats.slideImagesCreated;
    }
    barrier(cmd, u.image.image, 0, u.levels, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
            VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, 0, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
    u.started = true;
}

void finishUpload(Renderer& r, PanelUpload& u, VkCommandBuffer cmd) {
    const VkImage img = u.image.image;
    if (u.blit) {
        std::int32_t w = static_cast<std::int32_t>(u.pixels.width), h = static_cast<std::int32_t>(u.pixels.height);
        for (std::uint32_t l = 1; l < u.levels; ++l) {
            barrier(cmd, img, l - 1, 1, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_ACCESS_TRANSFER_READ_BIT);
            const std::int32_t dw = std::max(1, w / 2), dh = std::max(1, h / 2);
            VkImageBlit blit{};
            blit.srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, l - 1, 0, 1};
            blit.srcOffsets[1] = {w, h, 1};
            blit.dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, l, 0, 1};
            blit.dstOffsets[1] = {dw, dh, 1};
            vkCmdBlitImage(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1,
                           &blit, VK_FILTER_LINEAR);
            w = dw;
            h = dh;
        }
        barrier(cmd, img, 0, u.levels - 1, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT,
                VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT);
        barrier(cmd, img, u.levels - 1, 1, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT);
    } else {
        barrier(cmd, img, 0, u.levels, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT,
                VK_ACCESS_SHADER_READ_BIT);
    }
    PanelContent& pc = r.panels[u.panel];
    if (pc.card || pc.blit) deferDestroy(r.frames, pc.image); // cards are not reused; blit images have other usage
    else retireImage(r, pc.image);
    deferFree(r.frames, r.descriptorPool, pc.set);
    pc.image = u.image;
    u.image = Image{};
    pc.set = allocatePanelSet(r, pc.image.view);
    pc.format = u.pixels.format;
    pc.card = u.card;
    pc.blit = u.blit;
    pc.display = u.display;
    ++r.stats.uploadsDone;
}

// Copies as many rows of the upload's levels as the ring and the budget
// allow. True when every level that needs copying is complete.
bool copyRows(Renderer& r, PanelUpload& u, VkCommandBuffer cmd, VkDeviceSize& budget) {
    const std::uint32_t bpp = bytesPerPixel(u.pixels.format);
    const std::uint32_t copyLevels = u.blit ? 1 : u.levels;
    while (u.level < copyLevels) {
        const std::uint32_t lw = std::max(1u, u.pixels.width >> u.level);
        const std::uint32_t lh = std::max(1u, textureRows(u.pixels.format, u.pixels.height) >> u.level);
        const std::uint8_t* src = u.level == 0 ? u.pixels.bytes.data() : u.cpuMips[u.level - 1].data();
        const VkDeviceSize rowBytes = VkDeviceSize{lw} * bpp;
        const VkDeviceSize want = std::min<VkDeviceSize>(budget, (lh - u.row) * rowBytes);
        const StagingSpan span = want >= rowBytes ? reserve(r.staging, want, rowBytes) : StagingSpan{};
        if (span.bytes == 0) return false;
        const auto rows = static_cast<std::uint32_t>(span.bytes / rowBytes);
        std::memcpy(span.data, src + u.row * rowBytes, span.bytes);
        VkBufferImageCopy region{};
        region.bufferOffset = span.offset;
        region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, u.level, 0, 1};
        region.imageOffset = {0, static_cast<std::int32_t>(u.row), 0};
        region.imageExtent = {lw, rows, 1};
        vkCmdCopyBufferToImage(cmd, r.staging.buffer.buffer, u.image.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1,
                               &region);
        budget -= span.bytes;
        r.stats.uploadBytes += span.bytes;
        r.stats.uploadBytesLastFrame += static_cast<std::uint32_t>(span.bytes);
        u.row += rows;
        if (u.row == lh) {
            ++u.level;
            u.row = 0;
        }
    }
    return true;
}

} // namespace

void recordPanelUploads(Renderer& r, VkCommandBuffer cmd) {
    releaseSlot(r.staging, r.frames.current);
    r.stats.uploadBytesLastFrame = 0;
    VkDeviceSize budget = r.desc.uploadBytesPerFrame;
    std::size_t i = 0;
    while (i < r.uploads.size()) {
        PanelUpload& u = r.uploads[i];
        if (u.cancelled) {
            if (u.card || u.blit) deferDestroy(r.frames, u.image);
            else retireImage(r, u.image);
            r.uploads.erase(r.uploads.begin() + static_cast<std::ptrdiff_t>(i));
            continue;
        }
        if (!u.started) startUpload(r, u, cmd);
        if (!copyRows(r, u, cmd, budget)) {
            // First in, first out: later uploads wait behind this one.
            ++r.stats.uploadWaits;
            break;
        }
        finishUpload(r, u, cmd);
        r.uploads.erase(r.uploads.begin() + static_cast<std::ptrdiff_t>(i));
    }
}

void markPanelUploads(Renderer& r) { markSlot(r.staging, r.frames.current); }

std::uint32_t writePanelParams(Renderer& r, std::uint32_t p, float panelAspect, std::uint32_t at) {
    const PanelContent& pc = r.panels[p];
    const bool hasImage = pc.image.image != VK_NULL_HANDLE;
    // The picture's height: a video texture holds its chroma rows below it.
    const std::uint32_t height = !hasImage ? 1
                                 : pc.format == SlideFormat::I420 ? pc.image.extent.height / 3 * 2
                                                                   : pc.image.extent.height;
    const PanelParams params = panelParams(pc.display, hasImage ? pc.format : SlideFormat::Rgba8,
                                           hasImage ? pc.image.extent.width : 1, height,
                                           panelAspect, pc.card || !hasImage, srgbTarget(*r.target));
    const VkDeviceSize offset =
        (VkDeviceSize{r.frames.current} * kParamEntries + (at == UINT32_MAX ? p : at)) * r.panelParamStride;
    std::memcpy(static_cast<std::uint8_t*>(r.panelUniforms.mapped) + offset, &params, sizeof(params));
    return static_cast<std::uint32_t>(offset);
}

} // namespace detail

// [SECTION] public API
bool setPanelSlide(Renderer& r, std::uint32_t panel, SlidePixels pixels, const PanelDisplay& display) {
    const auto fi = static_cast<std::size_t>(pixels.format);
    const bool odd = pixels.format == SlideFormat::I420 && (pixels.width % 2 != 0 || pixels.height % 2 != 0);
    if (panel >= kSlideSlots || pixels.format >= SlideFormat::Count || pixels.width == 0 || pixels.height == 0 ||
        pixels.width > kMaxPanelSize || pixels.height > kMaxPanelSize || odd ||
        pixels.bytes.size() !=
            std::size_t{pixels.width} * textureRows(pixels.format, pixels.height) * bytesPerPixel(pixels.format)) {
        CR_LOG_WARN("setPanelSlide: ignoring panel %u (%ux%u %s, %zu bytes)", panel, pixels.width, pixels.height,
                    toString(pixels.format), pixels.bytes.size());
        return false;
    }
    if (!r.formatOk[fi]) {
        CR_LOG_WARN("setPanelSlide: this device cannot sample %s textures", toString(pixels.format));
        return false;
    }
    queueUpload(r, panel, std::move(pixels), display, false);
    return true;
}

void setPanelDisplay(Renderer& r, std::uint32_t panel, const PanelDisplay& display) {
    if (panel >= kSlideSlots) return;
    bool pending = false;
    for (PanelUpload& u : r.uploads)
        if (u.panel == panel && !u.cancelled && !u.card) {
            u.display = display;
            pending = true;
        }
    PanelContent& pc = r.panels[panel];
    if (!pending) pc.display = display;
    // The laser follows at once, whatever is uploading.
    pc.display.dots = display.dots;
    pc.display.dotCount = display.dotCount;
    pc.display.dotRadius = display.dotRadius;
}

void setPanelLaser(Renderer& r, std::uint32_t panel, std::span<const LaserDot> dots) {
    if (panel >= kSlideSlots) return;
    PanelDisplay& d = r.panels[panel].display;
    d.dotCount = static_cast<std::uint32_t>(std::min<std::size_t>(dots.size(), kMaxLaserDots));
    for (std::uint32_t i = 0; i < d.dotCount; ++i) d.dots[i] = dots[i];
    for (PanelUpload& u : r.uploads)
        if (u.panel == panel && !u.cancelled) {
            u.display.dotCount = d.dotCount;
            u.display.dots = d.dots;
        }
}

void clearPanelSlide(Renderer& r, std::uint32_t panel) {
    if (panel >= kSlideSlots) return;
    if (panel >= kMaxPanels) { // screen slots: blank, not drawn
        for (PanelUpload& u : r.uploads)
            if (u.panel == panel) u.cancelled = true;
        PanelContent& pc = r.panels[panel];
        if (pc.image.image == VK_NULL_HANDLE) return;
        deferDestroy(r.frames, pc.image);
        deferFree(r.frames, r.descriptorPool, pc.set);
        pc.image = Image{};
        pc.set = allocatePanelSet(r, r.blank.view);
        pc.card = true;
        pc.format = SlideFormat::Rgba8;
        return;
    }
    const RgbaImage card = makeTestCard(r.desc.panelWidth, r.desc.panelHeight, panel);
    SlidePixels px;
    px.width = card.width;
    px.height = card.height;
    px.format = SlideFormat::Rgba8;
    px.bytes = card.pixels;
    px.mipmaps = false;
    queueUpload(r, panel, std::move(px), PanelDisplay{}, true);
}

bool setPanelVideo(Renderer& r, std::uint32_t slot, std::uint32_t width, std::uint32_t height,
                   std::span<const std::uint8_t> y, std::span<const std::uint8_t> cb, std::span<const std::uint8_t> cr,
                   const PanelDisplay& display) {
    const std::size_t luma = std::size_t{width} * height, chroma = luma / 4;
    if (slot >= kSlideSlots || width < 2 || height < 2 || width % 2 != 0 || height % 2 != 0 ||
        width > kMaxPanelSize || height > kMaxPanelSize || y.size() != luma || cb.size() != chroma ||
        cr.size() != chroma) {
        CR_LOG_WARN("setPanelVideo: ignoring slot %u (%ux%u, planes %zu/%zu/%zu bytes)", slot, width, height, y.size(),
                    cb.size(), cr.size());
        return false;
    }
    PanelDisplay d = display;
    d.windowCentre = 127.5;
    d.windowWidth = 256.0;
    d.invert = false;
    // Latest wins: a picture still waiting for its first copy is overwritten in its own buffer.
    if (PanelUpload* old = findUpload(r, slot); old && !old->started && old->pixels.format == SlideFormat::I420 &&
                                                old->pixels.width == width && old->pixels.height == height) {
        packI420(width, height, y, cb, cr, old->pixels.bytes);
        old->display = d;
        ++r.stats.uploadsQueued;
        ++r.stats.uploadsDropped;
        return true;
    }
    SlidePixels px;
    px.width = width;
    px.height = height;
    px.format = SlideFormat::I420;
    px.mipmaps = false;
    packI420(width, height, y, cb, cr, px.bytes);
    return setPanelSlide(r, slot, std::move(px), d);
}

bool slotHasPicture(const Renderer& r, std::uint32_t slot) {
    return slot < kSlideSlots && r.panels[slot].image.image != VK_NULL_HANDLE && !r.panels[slot].card;
}

bool panelSlideReady(const Renderer& r, std::uint32_t panel) {
    for (const PanelUpload& u : r.uploads)
        if (u.panel == panel && !u.cancelled) return false;
    return true;
}

void drawThumbnails(Renderer& r, std::span<const ThumbnailDraw> thumbnails) {
    if (thumbnails.empty() || !r.recording) return;
    VkCommandBuffer cmd = currentSlot(r.frames).cmd;
    const VkExtent2D ext = r.target->extent;
    const float W = static_cast<float>(ext.width), H = static_cast<float>(ext.height);
    auto* verts = static_cast<Vertex*>(r.thumbVertices[r.frames.current].mapped);
    std::uint32_t n = 0;
    struct Push {
        glm::mat4 viewProj{1.0f};
        glm::vec4 lightDir{0.0f};
        glm::vec4 eye{0.0f};
    } push;
    detail::setViewport(cmd, ext); // after the UI: its viewport is unflipped
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, r.panel.pipeline);
    vkCmdPushConstants(cmd, r.panel.layout, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof(Push),
                       &push);
    const VkDeviceSize zero = 0;
    vkCmdBindVertexBuffers(cmd, 0, 1, &r.thumbVertices[r.frames.current].buffer, &zero);
    for (const ThumbnailDraw& t : thumbnails) {
        if (t.thumbnail >= kScreenSlots || n >= kScreenSlots || !(t.w >= 1.0f) || !(t.h >= 1.0f)) continue;
        const std::uint32_t slot = thumbnailSlot(t.thumbnail);
        if (r.panels[slot].image.image == VK_NULL_HANDLE || r.panels[slot].card) continue;
        // Pixels to clip space; the viewport is flipped, so +y is up.
        auto at = [&](float x, float y, float u, float v) {
            return Vertex{{2.0f * x / W - 1.0f, 1.0f - 2.0f * y / H, 0.0f}, {0.0f, 0.0f, 1.0f}, {u, v}};
        };
        const Vertex bl = at(t.x, t.y + t.h, 0, 1), br = at(t.x + t.w, t.y + t.h, 1, 1);
        const Vertex tr = at(t.x + t.w, t.y, 1, 0), tl = at(t.x, t.y, 0, 0);
        const Vertex quad[6] = {bl, br, tr, bl, tr, tl};
        std::memcpy(verts + n * 6, quad, sizeof quad);
        const float cx0 = std::clamp(t.clip.x, 0.0f, W), cy0 = std::clamp(t.clip.y, 0.0f, H);
        const float cx1 = std::clamp(t.clip.z, cx0, W), cy1 = std::clamp(t.clip.w, cy0, H);
        const VkRect2D scissor{{static_cast<std::int32_t>(cx0), static_cast<std::int32_t>(cy0)},
                               {static_cast<std::uint32_t>(cx1 - cx0), static_cast<std::uint32_t>(cy1 - cy0)}};
        if (scissor.extent.width == 0 || scissor.extent.height == 0) continue;
        vkCmdSetScissor(cmd, 0, 1, &scissor);
        const std::uint32_t offset = detail::writePanelParams(r, slot, t.w / t.h, kFirstScreenEntry + n);
        vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, r.panel.layout, 0, 1, &r.panels[slot].set, 1,
                                &offset);
        vkCmdDraw(cmd, 6, 1, n * 6, 0);
        ++n;
    }
    const VkRect2D full{{0, 0}, ext};
    vkCmdSetScissor(cmd, 0, 1, &full);
}

void setPanelImage(Renderer& r, std::uint32_t panel, RgbaImage image) {
    SlidePixels px;
    px.width = image.width;
    px.height = image.height;
    px.format = SlideFormat::Rgba8;
    px.bytes = std::move(image.pixels);
    px.mipmaps = false;
    (void)setPanelSlide(r, panel, std::move(px), PanelDisplay{});
}

} // namespace caseroom::render
