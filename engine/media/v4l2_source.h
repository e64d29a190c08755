// media: V4L2 webcams as a VideoSource (issue 13). Lists the capture
// devices with their YUYV and MJPEG modes, picks a mode for a wanted size and
// rate, and captures: mmap streaming (read() where the driver has no
// streaming), each buffer centre-cropped to the output aspect, scaled and
// converted to I420 (BT.601 limited range; MJPEG's full-range JFIF levels are
// mapped to it).
// Split: v4l2_convert.cpp holds the pure parts (mode choice, buffer
// conversion over libturbojpeg) and is tested on recorded buffers;
// v4l2_source.cpp is the only file that includes libv4l2 / videodev2.
// Errors name the device (or the buffer), the ioctl or step, and the fault;
// nothing throws.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "media/video_frame.h"
#include "media/video_source.h"

namespace caseroom::media {

// The capture formats used: what UVC webcams offer natively.
enum class V4l2Pixel : std::uint8_t { Yuyv, Mjpeg, Count };
[[nodiscard]] const char* toString(V4l2Pixel p);   // "YUYV", "MJPEG"

struct V4l2Mode {
    V4l2Pixel pixel = V4l2Pixel::Yuyv;
    std::uint32_t width = 0, height = 0;
    double fps = 0;   // frames per second; 0: the driver did not say (opened at its default rate)
};

struct V4l2Device {
    std::string path, card;        // "/dev/video0", the driver's card name
    std::vector<V4l2Mode> modes;   // YUYV and MJPEG modes, in the driver's order
};

// /dev/video* devices that can capture (VIDIOC_QUERYCAP: VIDEO_CAPTURE and
// STREAMING or READWRITE) with their YUYV/MJPEG modes (ENUM_FMT, FRAMESIZES,
// FRAMEINTERVALS; stepwise ranges give their ends and the common sizes within).
// Devices that cannot be opened or offer neither format are left out; empty
// when there are none.
[[nodiscard]] std::vector<V4l2Device> listV4l2Devices();

// The mode closest to a wanted size and rate. Size first: the smallest size
// covering width x height, else the largest there is. At that size: a rate
// >= fps (within 1 %) first, then MJPEG above 640x480 (USB 2 bandwidth) and
// YUYV at or below, then the lowest rate that meets fps (or the highest when
// none does). nullopt when modes is empty. Pure.
[[nodiscard]] std::optional<V4l2Mode> chooseV4l2Mode(std::span<const V4l2Mode> modes, std::uint32_t width,
                                                     std::uint32_t height, double fps);

// One captured buffer of a width x height mode to an I420 frame of
// outW x outH (even, 16..4096): centre-cropped to the output aspect, then
// area-averaged when shrinking and bilinear when growing (fixed point; a 2:1
// shrink is exactly the rounded 2x2 mean). Input sizes 16..8192.
// YUYV: `stride` bytes per row (>= 2 * width; width even), the buffer at least
// stride * (height - 1) + 2 * width bytes. MJPEG (stride unused): decoded by
// libturbojpeg, also webcam frames without Huffman tables (DHT); a decoder
// warning (truncated, corrupt) is an error, so no partial picture is shown.
// ptsUs of the result is 0.
[[nodiscard]] core::Result<I420Frame> convertV4l2Buffer(V4l2Pixel pixel, std::span<const std::uint8_t> buffer,
                                                        std::uint32_t width, std::uint32_t height,
                                                        std::uint32_t stride, std::uint32_t outW,
                                                        std::uint32_t outH);

// A webcam source: v4l2_open (libv4l2), the mode set (S_FMT; S_PARM where the
// driver takes a rate), mmap streaming with 4 buffers or read(). next() waits
// up to 1 s for a frame (then Error "DEVICE: no frame in 1 s"), converts it to
// outW x outH and requeues the buffer; a frame the driver marks bad or that
// does not convert is skipped, and 10 such in a row are an Error. ptsUs =
// index * 1e6 / frameRate() as VideoSource states. frameRate() is the rate
// the driver granted. Ownership: owns the device fd and the mappings; the
// destructor stops streaming. Thread rule: one thread calls next().
[[nodiscard]] core::Result<std::unique_ptr<VideoSource>> openV4l2(const std::string& device, const V4l2Mode& mode,
                                                                  std::uint32_t outW, std::uint32_t outH);

} // namespace caseroom::media
