// decodeImage and decodeFile: every format, so caseroom_media only (it
// reaches the DICOM and PDF adapters).
#include "media/decoders.h"
#include "media/image.h"

#include <algorithm>
#include <fstream>

namespace caseroom::media {

core::Result<Image> decodeImage(std::span<const std::uint8_t> bytes, std::string_view source,
                                const DecodeLimits& limits) {
    if (auto st = detail::checkInputSize(source, limits, bytes.size()); !st) return st.error();
    const auto format = sniffFormat(bytes);
    if (!format)
        return detail::fault(source, "not a PNG, JPEG, PDF or DICOM file (no known signature in its first " +
                                         std::to_string(std::min<std::size_t>(bytes.size(), 132)) + " bytes)");
    switch (*format) {
    case Format::Png: return detail::decodePng(bytes, source, limits);
    case Format::Jpeg: return detail::decodeJpeg(bytes, source, limits);
    case Format::Dicom: return detail::decodeDicom(bytes, source, limits);
    case Format::Pdf: return rasterisePdfPage(bytes, source, 0, kDefaultPdfWidthPx, limits);
    case Format::Count: break;
    }
    return detail::fault(source, "unknown format");
}

core::Result<std::vector<std::uint8_t>> readFileBounded(const std::filesystem::path& path, const DecodeLimits& limits) {
    const std::string source = path.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return detail::fault(source, "not a regular file");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return detail::fault(source, "cannot read: " + ec.message());
    if (auto st = detail::checkInputSize(source, limits, size); !st) return st.error();
    std::ifstream in(path, std::ios::binary);
    if (!in) return detail::fault(source, "cannot open for reading");
    std::vector<std::uint8_t> bytes(size);
    if (size != 0 && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size)))
        return detail::fault(source, "read failed");
    return bytes;
}

core::Result<Image> decodeFile(const std::filesystem::path& path, const DecodeLimits& limits) {
    auto bytes = readFileBounded(path, limits);
    if (!bytes) return bytes.error();
    return decodeImage(*bytes, path.string(), limits);
}

} // namespace caseroom::media
