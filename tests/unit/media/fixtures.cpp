#include "fixtures.h"

#include <gdcmAttribute.h>
#include <gdcmImageChangeTransferSyntax.h>
#include <gdcmImageReader.h>
#include <gdcmImageWriter.h>
#include <gdcmUIDGenerator.h>
#include <spng.h>
#include <turbojpeg.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>
#include <stdexcept>

namespace caseroom::media::testkit {

Bytes makePng(std::uint32_t width, std::uint32_t height, unsigned samples, unsigned bits, const Bytes& pixels) {
    std::unique_ptr<spng_ctx, void (*)(spng_ctx*)> ctx(spng_ctx_new(SPNG_CTX_ENCODER), spng_ctx_free);
    spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
    spng_ihdr ihdr{};
    ihdr.width = width;
    ihdr.height = height;
    ihdr.bit_depth = static_cast<std::uint8_t>(bits);
    ihdr.color_type = samples == 1 ? SPNG_COLOR_TYPE_GRAYSCALE : SPNG_COLOR_TYPE_TRUECOLOR;
    if (spng_set_ihdr(ctx.get(), &ihdr) != 0) throw std::runtime_error("spng_set_ihdr");
    if (int rc = spng_encode_image(ctx.get(), pixels.data(), pixels.size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE); rc != 0)
        throw std::runtime_error(std::string("spng_encode_image: ") + spng_strerror(rc));
    std::size_t len = 0;
    int err = 0;
    void* buf = spng_get_png_buffer(ctx.get(), &len, &err);
    if (!buf) throw std::runtime_error("spng_get_png_buffer");
    Bytes out(static_cast<std::uint8_t*>(buf), static_cast<std::uint8_t*>(buf) + len);
    std::free(buf);
    return out;
}

Bytes makeJpeg(std::uint32_t width, std::uint32_t height, unsigned samples, const Bytes& pixels, int quality) {
    tjhandle tj = tjInitCompress();
    unsigned char* buf = nullptr;
    unsigned long len = 0;
    const int rc = tjCompress2(tj, pixels.data(), static_cast<int>(width), 0, static_cast<int>(height),
                               samples == 1 ? TJPF_GRAY : TJPF_RGB, &buf, &len,
                               samples == 1 ? TJSAMP_GRAY : TJSAMP_444, quality, 0);
    if (rc != 0) {
        tjDestroy(tj);
        throw std::runtime_error("tjCompress2");
    }
    Bytes out(buf, buf + len);
    tjFree(buf);
    tjDestroy(tj);
    return out;
}

namespace {
Bytes pdfBytes(const std::vector<PdfPage>& pages, const std::vector<std::string>& texts, const std::string& infoTitle) {
    // Objects: 1 catalog, 2 pages, then per page i: 3+2i page, 4+2i content.
    std::string out = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
    std::vector<std::size_t> offsets;
    auto object = [&](const std::string& body) {
        offsets.push_back(out.size());
        out += std::to_string(offsets.size()) + " 0 obj\n" + body + "\nendobj\n";
    };
    std::string kids;
    for (std::size_t i = 0; i < pages.size(); ++i) kids += std::to_string(3 + 2 * i) + " 0 R ";
    object("<< /Type /Catalog /Pages 2 0 R >>");
    object("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages.size()) + " >>");
    char buf[256];
    for (std::size_t i = 0; i < pages.size(); ++i) {
        const PdfPage& p = pages[i];
        const std::string text = i < texts.size() ? texts[i] : std::string();
        const char* font = text.empty() ? "" : " /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>";
        std::snprintf(buf, sizeof buf, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g]%s /Contents %zu 0 R >>",
                      p.widthPt, p.heightPt, font, 4 + 2 * i);
        object(buf);
        std::snprintf(buf, sizeof buf, "%g %g %g rg %g %g %g %g re f\n", p.r, p.g, p.b, p.x, p.y, p.w, p.h);
        std::string stream = buf;
        if (!text.empty()) stream += "BT 0 0 0 rg /F1 10 Tf 4 " + std::to_string(p.heightPt / 2) + " Td (" + text + ") Tj ET\n";
        object("<< /Length " + std::to_string(stream.size()) + " >>\nstream\n" + stream + "endstream");
    }
    if (!infoTitle.empty()) object("<< /Title (" + infoTitle + ") /Author (" + infoTitle + ") >>");
    const std::size_t xref = out.size();
    out += "xref\n0 " + std::to_string(offsets.size() + 1) + "\n0000000000 65535 f \n";
    for (std::size_t off : offsets) {
        std::snprintf(buf, sizeof buf, "%010zu 00000 n \n", off);
        out += buf;
    }
    const std::string info = infoTitle.empty() ? "" : " /Info " + std::to_string(offsets.size()) + " 0 R";
    out += "trailer\n<< /Size " + std::to_string(offsets.size() + 1) + " /Root 1 0 R" + info + " >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return Bytes(out.begin(), out.end());
}
} // namespace

Bytes makePdf(const std::vector<PdfPage>& pages, const std::string& infoTitle) { return pdfBytes(pages, {}, infoTitle); }

Bytes makePdfWithText(const std::vector<PdfPage>& pages, const std::vector<std::string>& texts) {
    return pdfBytes(pages, texts, {});
}

Bytes makeDicom(const DicomSpec& s) {
    gdcm::ImageWriter writer;
    gdcm::Image& im = writer.GetImage();
    im.SetNumberOfDimensions(s.frames > 1 ? 3 : 2);
    im.SetDimension(0, s.width);
    im.SetDimension(1, s.height);
    if (s.frames > 1) im.SetDimension(2, s.frames);
    im.SetPixelFormat(gdcm::PixelFormat(static_cast<unsigned short>(s.samples), static_cast<unsigned short>(s.bits),
                                        static_cast<unsigned short>(s.bits), static_cast<unsigned short>(s.bits - 1),
                                        s.isSigned ? 1 : 0));
    im.SetPhotometricInterpretation(s.photometric == Photometric::Monochrome1   ? gdcm::PhotometricInterpretation::MONOCHROME1
                                    : s.photometric == Photometric::Monochrome2 ? gdcm::PhotometricInterpretation::MONOCHROME2
                                                                                : gdcm::PhotometricInterpretation::RGB);
    if (s.samples == 3) im.SetPlanarConfiguration(0);
    im.SetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);
    im.SetSlope(s.slope);
    im.SetIntercept(s.intercept);
    std::string raw;
    for (std::int32_t v : s.values) {
        if (s.bits == 16) {
            const auto u = static_cast<std::uint16_t>(v);
            raw.push_back(static_cast<char>(u & 0xff));
            raw.push_back(static_cast<char>(u >> 8));
        } else {
            raw.push_back(static_cast<char>(static_cast<std::uint8_t>(v)));
        }
    }
    gdcm::DataElement pixels(gdcm::Tag(0x7fe0, 0x0010));
    pixels.SetByteValue(raw.data(), static_cast<std::uint32_t>(raw.size()));
    im.SetDataElement(pixels);

    gdcm::DataSet& ds = writer.GetFile().GetDataSet();
    auto put = [&ds](std::uint16_t group, std::uint16_t element, const std::string& value, gdcm::VR vr) {
        gdcm::DataElement de(gdcm::Tag(group, element));
        de.SetVR(vr);
        std::string v = value;
        if (v.size() % 2) v.push_back(vr == gdcm::VR::UI ? '\0' : ' ');
        de.SetByteValue(v.data(), static_cast<std::uint32_t>(v.size()));
        ds.Replace(de);
    };
    gdcm::UIDGenerator uid;
    put(0x0008, 0x0016, s.sopClassUid, gdcm::VR::UI);
    put(0x0008, 0x0018, s.sopInstanceUid.empty() ? std::string(uid.Generate()) : s.sopInstanceUid, gdcm::VR::UI);
    put(0x0008, 0x0060, s.modality, gdcm::VR::CS);
    for (const auto& x : s.extra) put(x.group, x.element, x.value, gdcm::VR(gdcm::VR::GetVRType(x.vr.c_str())));
    if (s.window) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g\\%g", s.window->centre, s.window->centre + 1000);
        put(0x0028, 0x1050, buf, gdcm::VR::DS);
        std::snprintf(buf, sizeof buf, "%g\\%g", s.window->width, s.window->width + 1000);
        put(0x0028, 0x1051, buf, gdcm::VR::DS);
    }
    std::ostringstream os;
    writer.SetStream(os);
    if (!writer.Write()) throw std::runtime_error("gdcm::ImageWriter::Write failed");
    const std::string bytes = os.str();
    return Bytes(bytes.begin(), bytes.end());
}

Bytes convertDicom(const Bytes& dicom, const std::string& transferSyntaxUid) {
    std::istringstream in(std::string(dicom.begin(), dicom.end()));
    gdcm::ImageReader reader;
    reader.SetStream(in);
    if (!reader.Read()) throw std::runtime_error("convertDicom: GDCM cannot read the input");
    const gdcm::TransferSyntax::TSType ts = gdcm::TransferSyntax::GetTSType(transferSyntaxUid.c_str());
    if (ts == gdcm::TransferSyntax::TS_END) throw std::runtime_error("convertDicom: unknown syntax " + transferSyntaxUid);
    gdcm::ImageChangeTransferSyntax change;
    change.SetTransferSyntax(gdcm::TransferSyntax(ts));
    change.SetInput(reader.GetImage());
    if (!change.Change()) throw std::runtime_error("convertDicom: GDCM cannot encode " + transferSyntaxUid);
    gdcm::ImageWriter writer;
    writer.SetFile(reader.GetFile());
    writer.SetImage(change.GetOutput());
    std::ostringstream out;
    writer.SetStream(out);
    if (!writer.Write()) throw std::runtime_error("convertDicom: write failed");
    const std::string bytes = out.str();
    return Bytes(bytes.begin(), bytes.end());
}

namespace {
std::uint32_t crc32(const std::uint8_t* p, std::size_t n) {
    std::uint32_t c = 0xffffffffu;
    for (std::size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}
void be32(Bytes& b, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}
} // namespace

Bytes insertPngChunk(const Bytes& png, const std::string& type, const std::string& data) {
    Bytes chunk;
    be32(chunk, static_cast<std::uint32_t>(data.size()));
    chunk.insert(chunk.end(), type.begin(), type.end());
    chunk.insert(chunk.end(), data.begin(), data.end());
    be32(chunk, crc32(chunk.data() + 4, chunk.size() - 4));
    Bytes out(png.begin(), png.begin() + 8 + 25); // signature + IHDR (13 bytes of data)
    out.insert(out.end(), chunk.begin(), chunk.end());
    out.insert(out.end(), png.begin() + 8 + 25, png.end());
    return out;
}

Bytes insertJpegSegment(const Bytes& jpeg, std::uint8_t code, const std::string& payload) {
    Bytes out(jpeg.begin(), jpeg.begin() + 2);
    out.push_back(0xff);
    out.push_back(code);
    const std::size_t len = payload.size() + 2;
    out.push_back(static_cast<std::uint8_t>(len >> 8));
    out.push_back(static_cast<std::uint8_t>(len));
    out.insert(out.end(), payload.begin(), payload.end());
    out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
    return out;
}

Bytes readAll(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

void writeAll(const std::filesystem::path& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::filesystem::path scratchDir(const std::string& tag) {
    auto dir = std::filesystem::temp_directory_path() / ("caseroom_media_" + tag + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

bool haveTool(const std::string& tool) { return run("command -v " + tool + " >/dev/null 2>&1") == 0; }

int run(const std::string& command) {
    const int rc = std::system(command.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

} // namespace caseroom::media::testkit
