// caseroom-demo-case DIR: writes the files of the demo's teleECHO case, as a
// presenter would bring them, for `caseroom-deck build`: a three-page
// didactic PDF with text, a head CT series as one multi-frame DICOM (signed
// 16-bit with a modality rescale to Hounsfield units and a brain window, a
// phantom: every structure is drawn from geometry, no patient ever had it),
// and an ECG strip as a PNG. Nothing in them identifies anyone; the DICOM
// carries only the attributes display needs, so it builds without --scrub.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gdcmImageWriter.h>
#include <gdcmTrace.h>
#include <gdcmUIDGenerator.h>
#include <spng.h>


namespace {

using Bytes = std::vector<std::uint8_t>;

bool writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(out);
}

// Escapes a PDF literal string.
std::string pdfText(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '(' || c == ')' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

struct Page {
    std::string title;
    std::vector<std::string> lines;
};

// A PDF 1.4 with a correct cross-reference table; Helvetica (one of the
// standard 14 fonts, which poppler maps to an installed sans face).
std::string makeDidacticPdf(const std::vector<Page>& pages) {
    std::string out = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
    std::vector<std::size_t> offsets;
    auto object = [&](const std::string& body) {
        offsets.push_back(out.size());
        out += std::to_string(offsets.size()) + " 0 obj\n" + body + "\nendobj\n";
    };
    // 1 catalog, 2 pages, 3 font, then per page i: 4+2i page, 5+2i content.
    std::string kids;
    for (std::size_t i = 0; i < pages.size(); ++i) kids += std::to_string(4 + 2 * i) + " 0 R ";
    object("<< /Type /Catalog /Pages 2 0 R >>");
    object("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages.size()) + " >>");
    object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    for (std::size_t i = 0; i < pages.size(); ++i) {
        object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 960 540] /Resources << /Font << /F1 3 0 R >> >> /Contents " +
               std::to_string(5 + 2 * i) + " 0 R >>");
        std::ostringstream s;
        s << "0.12 0.25 0.45 rg 0 470 960 70 re f\n";            // title band
        s << "0.85 0.55 0.15 rg 0 0 960 8 re f\n";               // accent rule
        s << "BT 1 1 1 rg /F1 34 Tf 48 492 Td (" << pdfText(pages[i].title) << ") Tj ET\n";
        double y = 400;
        for (const auto& line : pages[i].lines) {
            s << "BT 0.1 0.1 0.1 rg /F1 24 Tf 64 " << y << " Td (" << pdfText(line) << ") Tj ET\n";
            y -= 44;
        }
        s << "BT 0.4 0.4 0.4 rg /F1 14 Tf 48 24 Td (CaseRoom teleECHO demo - didactic " << (i + 1) << "/"
          << pages.size() << ") Tj ET\n";
        const std::string stream = s.str();
        object("<< /Length " + std::to_string(stream.size()) + " >>\nstream\n" + stream + "endstream");
    }
    const std::size_t xref = out.size();
    out += "xref\n0 " + std::to_string(offsets.size() + 1) + "\n0000000000 65535 f \n";
    char buf[32];
    for (std::size_t off : offsets) {
        std::snprintf(buf, sizeof buf, "%010zu 00000 n \n", off);
        out += buf;
    }
    out += "trailer\n<< /Size " + std::to_string(offsets.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return out;
}

// Hounsfield units of a head phantom at (x, y) in [-1, 1]^2 on slice z in [0, 1].
double headHu(double x, double y, double z, std::uint32_t& noise) {
    noise = noise * 1664525u + 1013904223u;
    const double jitter = (static_cast<double>(noise >> 8) / 16777216.0 - 0.5) * 8.0;
    const double scale = 0.75 + 0.25 * std::sin(z * 3.14159);   // the skull narrows towards the ends
    const double ex = x / (0.80 * scale), ey = y / (0.95 * scale);
    const double r = std::sqrt(ex * ex + ey * ey);
    if (r > 1.0) return -1000.0;                                 // air
    if (r > 0.92) return 1400.0 + jitter * 10;                   // skull (cortical bone)
    if (r > 0.90) return 60.0 + jitter;                          // dura
    // A crescent of fresh subdural blood over the left convexity on the middle slices.
    if (z > 0.3 && z < 0.75 && x < -0.25 && r > 0.80) return 70.0 + jitter;
    // Lateral ventricles (CSF).
    const double vx = std::abs(x) - 0.16, vy = (y + 0.05) / 0.32;
    if (z > 0.35 && z < 0.8 && (vx * vx) / 0.008 + vy * vy < 1.0) return 6.0 + jitter;
    // Grey matter rim and white matter core.
    return (r > 0.72 ? 40.0 : 28.0) + jitter;
}

std::string makeHeadCt(std::uint32_t size, std::uint32_t slices) {
    gdcm::ImageWriter writer;
    gdcm::Image& im = writer.GetImage();
    im.SetNumberOfDimensions(3);
    im.SetDimension(0, size);
    im.SetDimension(1, size);
    im.SetDimension(2, slices);
    im.SetPixelFormat(gdcm::PixelFormat(1, 16, 16, 15, 1)); // signed 16-bit
    im.SetPhotometricInterpretation(gdcm::PhotometricInterpretation::MONOCHROME2);
    im.SetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);
    im.SetSlope(1.0);
    im.SetIntercept(-1024.0);
    std::string raw;
    raw.reserve(std::size_t{size} * size * slices * 2);
    std::uint32_t noise = 12345;
    for (std::uint32_t k = 0; k < slices; ++k)
        for (std::uint32_t j = 0; j < size; ++j)
            for (std::uint32_t i = 0; i < size; ++i) {
                const double x = (i + 0.5) / size * 2.0 - 1.0, y = (j + 0.5) / size * 2.0 - 1.0;
                const double z = slices > 1 ? static_cast<double>(k) / (slices - 1) : 0.5;
                const auto v = static_cast<std::int16_t>(std::lround(headHu(x, y, z, noise) + 1024.0));
                const auto u = static_cast<std::uint16_t>(v);
                raw.push_back(static_cast<char>(u & 0xff));
                raw.push_back(static_cast<char>(u >> 8));
            }
    gdcm::DataElement pixels(gdcm::Tag(0x7fe0, 0x0010));
    pixels.SetByteValue(raw.data(), static_cast<std::uint32_t>(raw.size()));
    im.SetDataElement(pixels);
    gdcm::DataSet& ds = writer.GetFile().GetDataSet();
    auto put = [&ds](std::uint16_t group, std::uint16_t element, std::string v, gdcm::VR vr) {
        gdcm::DataElement de(gdcm::Tag(group, element));
        de.SetVR(vr);
        if (v.size() % 2) v.push_back(vr == gdcm::VR::UI ? '\0' : ' ');
        de.SetByteValue(v.data(), static_cast<std::uint32_t>(v.size()));
        ds.Replace(de);
    };
    gdcm::UIDGenerator uid;
    put(0x0008, 0x0016, "1.2.840.10008.5.1.4.1.1.2", gdcm::VR::UI); // CT Image Storage
    put(0x0008, 0x0018, uid.Generate(), gdcm::VR::UI);
    put(0x0008, 0x0060, "CT", gdcm::VR::CS);
    put(0x0028, 0x0301, "NO", gdcm::VR::CS);                       // Burned In Annotation
    put(0x0018, 0x1063, "100", gdcm::VR::DS);                      // Frame Time (ms): 10 Hz cine
    put(0x0028, 0x1050, "40", gdcm::VR::DS);                       // brain window
    put(0x0028, 0x1051, "80", gdcm::VR::DS);
    std::ostringstream os;
    writer.SetStream(os);
    if (!writer.Write()) return {};
    return os.str();
}

// A 12-lead-style rhythm strip: pink grid, one trace of sinus rhythm.
std::string makeEcgPng(std::uint32_t width, std::uint32_t height) {
    Bytes rgb(std::size_t{width} * height * 3, 255);
    auto dot = [&](int x, int y, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
        if (x < 0 || y < 0 || x >= static_cast<int>(width) || y >= static_cast<int>(height)) return;
        const std::size_t o = (std::size_t(y) * width + std::size_t(x)) * 3;
        rgb[o] = r, rgb[o + 1] = g, rgb[o + 2] = b;
    };
    for (std::uint32_t y = 0; y < height; ++y)
        for (std::uint32_t x = 0; x < width; ++x) {
            const bool major = x % 50 == 0 || y % 50 == 0, minor = x % 10 == 0 || y % 10 == 0;
            if (major) dot(int(x), int(y), 240, 150, 160);
            else if (minor) dot(int(x), int(y), 250, 215, 220);
        }
    // PQRST at 75/min: one beat per 160 px (25 mm/s with 10 px per mm).
    auto beat = [](double t) { // t in [0,1) of the RR interval -> mV
        auto g = [](double t0, double w, double a, double t1) { return a * std::exp(-((t1 - t0) * (t1 - t0)) / (2 * w * w)); };
        return g(0.20, 0.025, 0.15, t) - g(0.33, 0.008, 0.12, t) + g(0.36, 0.010, 1.3, t) - g(0.39, 0.010, 0.25, t) +
               g(0.62, 0.045, 0.30, t);
    };
    const double mid = height * 0.6;
    int prevY = static_cast<int>(mid);
    for (std::uint32_t x = 0; x < width; ++x) {
        const double t = std::fmod(x / 160.0, 1.0);
        const int y = static_cast<int>(mid - beat(t) * 100.0);
        for (int yy = std::min(prevY, y); yy <= std::max(prevY, y); ++yy)
            for (int w = -1; w <= 1; ++w) dot(int(x), yy + w, 20, 20, 20);
        prevY = y;
    }
    spng_ctx* ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
    spng_ihdr ihdr{};
    ihdr.width = width;
    ihdr.height = height;
    ihdr.bit_depth = 8;
    ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR;
    spng_set_ihdr(ctx, &ihdr);
    std::string out;
    if (spng_encode_image(ctx, rgb.data(), rgb.size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE) == 0) {
        std::size_t n = 0;
        int err = 0;
        void* buf = spng_get_png_buffer(ctx, &n, &err);
        if (buf) out.assign(static_cast<const char*>(buf), n);
        std::free(buf);
    }
    spng_ctx_free(ctx);
    return out;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2 || std::string(argv[1]).starts_with("-")) {
        std::fprintf(stderr, "usage: caseroom-demo-case DIR\n  writes the demo case's files (PDF, DICOM, PNG) into DIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    gdcm::Trace::WarningOff(); // GDCM notes the defaults it fills in on stderr; they are intended here
    const std::vector<Page> pages = {
        {"Hepatitis C in primary care", {"Who to test: everyone 18 and over, once", "Diagnosis: HCV antibody, then RNA",
                                         "Pangenotypic regimens: 8-12 weeks", "Cure (SVR12) above 95 %"}},
        {"Before treatment", {"Fibrosis: FIB-4 or elastography", "Check HBV, HIV and pregnancy", "Review drug interactions",
                              "Cirrhosis: refer for HCC surveillance"}},
        {"Today's case", {"54-year-old man, genotype 1a", "New headache after a fall", "Question for the hub: imaging and",
                          "timing of antiviral therapy"}},
    };
    const std::string ct = makeHeadCt(256, 16);
    const std::string ecg = makeEcgPng(960, 400);
    if (ct.empty() || ecg.empty()) {
        std::fprintf(stderr, "caseroom-demo-case: could not encode the demo images\n");
        return 1;
    }
    if (!writeFile(dir + "/01-didactic.pdf", makeDidacticPdf(pages)) || !writeFile(dir + "/02-head-ct.dcm", ct) ||
        !writeFile(dir + "/03-ecg.png", ecg)) {
        std::fprintf(stderr, "caseroom-demo-case: cannot write into %s\n", dir.c_str());
        return 1;
    }
    std::printf("%s: 01-didactic.pdf (3 pages), 02-head-ct.dcm (16 slices), 03-ecg.png\n", dir.c_str());
    return 0;
}
