// Deck manifests (canonical round trip, hostile input), the PNG writer, the
// photo metadata strippers and decodeRaster's refusal of other formats.
#include <catch2/catch.hpp>

#include "fixtures.h"
#include "media/deck.h"
#include "media/image.h"
#include "media/raster.h"

#include <algorithm>
#include <cstring>

using namespace caseroom::media;
using namespace caseroom::media::testkit;

namespace {

BlobHash hashOf(const std::string& s) { return hashBlob(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size())); }

DeckManifest sample() {
    DeckManifest m;
    m.title = "Case 12: chest pain, week 3";
    DeckSlide ct;
    ct.kind = SlideKind::Dicom;
    ct.width = 512;
    ct.height = 400;
    ct.bits = 16;
    ct.isSigned = true;
    ct.rescaleSlope = 0.5;
    ct.rescaleIntercept = -1024.25;
    ct.window = Window{40.5, 400};
    ct.frameRateHz = 12.5;
    ct.caption = "Slide 1 = axial CT # contrast";
    for (int i = 0; i < 19; ++i) ct.frames.push_back(hashOf("frame" + std::to_string(i)));
    m.slides.push_back(ct);
    DeckSlide photo;
    photo.kind = SlideKind::Photo;
    photo.width = 640;
    photo.height = 480;
    photo.samplesPerPixel = 3;
    photo.photometric = Photometric::Rgb;
    photo.caption = "Lab table";
    photo.frames.push_back(hashOf("photo"));
    photo.frames.push_back(hashOf("photo")); // duplicates stay in the slide, once in blobs()
    photo.frameRateHz = 1;
    m.slides.push_back(photo);
    DeckSlide page = photo;
    page.kind = SlideKind::PdfPage;
    page.frames = {hashOf("page")};
    page.frameRateHz = 0;
    page.caption = "";
    m.slides.push_back(page);
    DeckSlide mono1 = ct;
    mono1.photometric = Photometric::Monochrome1;
    mono1.bits = 8;
    mono1.isSigned = false;
    mono1.window.reset();
    mono1.frames = {hashOf("x")};
    mono1.frameRateHz = 0;
    m.slides.push_back(mono1);
    return m;
}

std::span<const std::uint8_t> bytesOf(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string text(const std::vector<std::uint8_t>& b) { return std::string(b.begin(), b.end()); }

void replaceOnce(std::string& s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    s.replace(at, from.size(), to);
}

} // namespace

TEST_CASE("deck manifest: canonical round trip", "[deck]") {
    const DeckManifest m = sample();
    REQUIRE(checkManifest(m).ok());
    const auto bytes = writeManifest(m);
    auto parsed = parseManifest(bytes, "m.deck");
    INFO(text(bytes));
    REQUIRE(parsed.ok());
    CHECK(*parsed == m);
    CHECK(writeManifest(*parsed) == bytes);
    CHECK(parsed->blobs().size() == 19 + 1 + 1 + 1);
    CHECK(text(bytes).find(m.slides[0].frames[3].hex()) != std::string::npos); // hashes as hex
    // Equal decks, equal bytes; a changed caption, other bytes.
    DeckManifest other = m;
    other.slides[1].caption = "Lab table 2";
    CHECK(writeManifest(other) != bytes);
}

TEST_CASE("deck manifest: hostile or malformed manifests are refused with source, line and fault", "[deck]") {
    const std::string good = text(writeManifest(sample()));
    const std::string h = sample().slides[2].frames[0].hex();
    struct Case {
        const char* what;
        std::string from, to, fault;
    };
    const std::vector<Case> cases = {
        {"unknown key", "kind = photo\n", "kind = photo\ncolour = red\n", "unknown key 'colour'"},
        {"unknown kind", "kind = photo\n", "kind = movie\n", "unknown slide kind"},
        {"zero width", "width = 640\n", "width = 0\n", "out of range"},
        {"huge width", "width = 640\n", "width = 99999999999999999999\n", "whole number"},
        {"negative height", "height = 480\n", "height = -4\n", "whole number"},
        {"bits 12", "bits = 16\n", "bits = 12\n", "8 or 16"},
        {"signed photo", "kind = photo\nwidth = 640\nheight = 480\nbits = 8\nsamples = 3\nsigned = no",
         "kind = photo\nwidth = 640\nheight = 480\nbits = 8\nsamples = 3\nsigned = yes", "signed"},
        {"bad hash", h, h.substr(0, 63) + "g", "64 hex digits"},
        {"zero hash", h, std::string(64, '0'), "64 hex digits"},
        {"short frame list", "frames = 1\nframes.0 = " + h, "frames = 2\nframes.0 = " + h, "hold 2 hashes"},
        {"missing frames line", "frames.2 =", "framez.2 =", "no 'frames.2'"},
        {"slide count", "slides = 4\n", "slides = 5\n", "says 5 slides"},
        {"NaN slope", "rescale-slope = 0.5\n", "rescale-slope = nan\n", "finite number"},
        {"zero window", "window = 40.5 400\n", "window = 40.5 0\n", "out of range"},
        {"window without width", "window = 40.5 400\n", "window = 40.5\n", "CENTRE WIDTH"},
        {"cine without rate", "frame-rate = 12.5\n", "frame-rate = 0\n", "frame rate"},
        {"format", "format = caseroom-deck 1\n", "format = caseroom-deck 2\n", "unknown manifest format"},
        {"extra section", "[slide]\nkind = photo", "[agenda]\nkind = photo", "unknown section [agenda]"},
        {"long caption", "caption = Lab table\n", "caption = " + std::string(281, 'x') + "\n", "more than 280"},
        {"duplicate key", "bits = 16\n", "bits = 16\nbits = 16\n", "duplicate key"},
    };
    for (const auto& c : cases) {
        std::string bad = good;
        replaceOnce(bad, c.from, c.to);
        const auto r = parseManifest(bytesOf(bad), "hostile.deck");
        INFO(c.what);
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error().message, Catch::StartsWith("hostile.deck:"));
        CHECK_THAT(r.error().message, Catch::Matches("hostile\\.deck:[0-9]+: .*"));
        CHECK_THAT(r.error().message, Catch::Contains(c.fault));
    }
    // Not text, empty, too big.
    const std::string nul = std::string("[deck]\0", 7);
    CHECK_FALSE(parseManifest(bytesOf(nul), "nul.deck").ok());
    CHECK_THAT(parseManifest({}, "empty.deck").error().message, Catch::Contains("[deck]"));
    const std::string huge(kMaxManifestBytes + 1, '#');
    CHECK_THAT(parseManifest(bytesOf(huge), "huge.deck").error().message, Catch::Contains("limit"));
    // More slides than a deck holds: refused by count before any slide is read.
    std::string many = good;
    replaceOnce(many, "slides = 4\n", "slides = 513\n");
    CHECK_THAT(parseManifest(bytesOf(many), "many.deck").error().message, Catch::Contains("out of range"));
}

TEST_CASE("deck PNG writer: grey 8/16 and RGB 8 decode back sample for sample", "[deck]") {
    Bytes grey16(6 * 5 * 2);
    for (std::size_t i = 0; i < grey16.size() / 2; ++i) {
        const auto v = static_cast<std::uint16_t>(i * 2113 + 7);
        std::memcpy(grey16.data() + i * 2, &v, 2);
    }
    auto png = encodePng(6, 5, 1, 16, grey16);
    REQUIRE(png.ok());
    auto img = decodeRaster(*png, "w16.png");
    REQUIRE(img.ok());
    CHECK(img->bits == 16);
    CHECK(img->pixels == grey16);
    Bytes rgb(4 * 3 * 3);
    for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<std::uint8_t>(i * 7);
    png = encodePng(4, 3, 3, 8, rgb);
    REQUIRE(png.ok());
    img = decodeRaster(*png, "rgb.png");
    REQUIRE(img.ok());
    CHECK(img->pixels == rgb);
    CHECK_FALSE(encodePng(4, 3, 3, 16, rgb).ok());
    CHECK_FALSE(encodePng(4, 4, 3, 8, rgb).ok()); // wrong size
}

TEST_CASE("deck: decodeRaster refuses DICOM and PDF by name", "[deck]") {
    const Bytes pdf = makePdf({PdfPage{}});
    auto r = decodeRaster(pdf, "slides.pdf");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::StartsWith("slides.pdf: PDF is not allowed here"));
    DicomSpec s;
    s.values.assign(16, 5);
    r = decodeRaster(makeDicom(s), "ct.dcm");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::StartsWith("ct.dcm: DICOM is not allowed here"));
    CHECK_THAT(decodeRaster(Bytes{1, 2, 3}, "x.bin").error().message, Catch::StartsWith("x.bin: not a PNG or JPEG"));
}

TEST_CASE("deck: PNG metadata is stripped at the byte level, pixels untouched", "[deck]") {
    Bytes px(8 * 8 * 3);
    for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<std::uint8_t>(i * 5);
    const Bytes plain = makePng(8, 8, 3, 8, px);
    Bytes png = insertPngChunk(plain, "tEXt", std::string("Author\0Dr Jane Secret", 21));
    png = insertPngChunk(png, "tIME", std::string("\x07\xe9\x01\x02\x03\x04\x05", 7));
    png = insertPngChunk(png, "eXIf", std::string("MM\0*secret exif", 15));
    png = insertPngChunk(png, "gAMA", std::string("\x00\x00\xb1\x8f", 4));
    png.insert(png.end(), {'t', 'r', 'a', 'i', 'l'});
    REQUIRE(decodeRaster(png, "p.png").ok());
    auto s = stripPngMetadata(png, "p.png");
    REQUIRE(s.ok());
    std::vector<std::string> names;
    for (const auto& r : s->removed) names.push_back(r.name);
    CHECK(names == std::vector<std::string>{"eXIf", "tIME", "tEXt", "bytes after IEND"});
    CHECK(s->removed[2].bytes == 12 + 21);
    const std::string out(s->bytes.begin(), s->bytes.end());
    CHECK(out.find("Secret") == std::string::npos);
    CHECK(out.find("secret") == std::string::npos);
    CHECK(out.find("gAMA") != std::string::npos); // kept: colour meaning, no text
    auto a = decodeRaster(plain, "a.png");
    auto b = decodeRaster(s->bytes, "b.png");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->pixels == b->pixels);
    // Malformed: cut inside a chunk, unknown critical chunk, not PNG.
    CHECK_THAT(stripPngMetadata(Bytes(png.begin(), png.begin() + 40), "cut.png").error().message,
               Catch::StartsWith("cut.png: "));
    CHECK_THAT(stripPngMetadata(insertPngChunk(plain, "ABCD", "x"), "crit.png").error().message,
               Catch::Contains("unknown critical chunk ABCD"));
    CHECK_FALSE(stripPngMetadata(Bytes{1, 2, 3}, "x").ok());
}

TEST_CASE("deck: JPEG EXIF, XMP and comments are stripped, scans untouched", "[deck]") {
    Bytes px(16 * 16 * 3);
    for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<std::uint8_t>((i * 13) ^ (i >> 3));
    const Bytes plain = makeJpeg(16, 16, 3, px, 90);
    Bytes jpeg = insertJpegSegment(plain, 0xfe, "taken by Dr Secret");                              // COM
    jpeg = insertJpegSegment(jpeg, 0xed, std::string("Photoshop 3.0\0 Secret IPTC", 26));            // APP13
    jpeg = insertJpegSegment(jpeg, 0xe1, std::string("http://ns.adobe.com/xap/1.0/\0<x>Secret</x>", 41)); // XMP
    jpeg = insertJpegSegment(jpeg, 0xe1, std::string("Exif\0\0MM\0*GPS Secret", 20));                // EXIF
    jpeg = insertJpegSegment(jpeg, 0xee, std::string("Adobe\0\x64\0\0\0\0\x01", 12));                  // APP14: kept
    REQUIRE(decodeRaster(jpeg, "j.jpg").ok());
    auto s = stripJpegMetadata(jpeg, "j.jpg");
    REQUIRE(s.ok());
    std::vector<std::string> names;
    for (const auto& r : s->removed) names.push_back(r.name);
    // The JFIF APP0 that TurboJPEG writes is kept (it has no thumbnail).
    CHECK(names == std::vector<std::string>{"APP1 Exif", "APP1 http://ns.adobe.com/xap/1.0/", "APP13 Photoshop 3.0", "COM"});
    const std::string out(s->bytes.begin(), s->bytes.end());
    CHECK(out.find("Secret") == std::string::npos);
    CHECK(out.find("Adobe") != std::string::npos);
    CHECK(out.find("JFIF") != std::string::npos);
    auto a = decodeRaster(jpeg, "a.jpg");
    auto b = decodeRaster(s->bytes, "b.jpg");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->pixels == b->pixels);
    // The scan bytes are the same bytes: the stripped file is the original minus the segments.
    std::uint64_t removed = 0;
    for (const auto& r : s->removed) removed += r.bytes;
    CHECK(s->bytes.size() + removed == jpeg.size());
    // Truncated and trailing data.
    CHECK_THAT(stripJpegMetadata(Bytes(jpeg.begin(), jpeg.end() - 2), "cut.jpg").error().message,
               Catch::StartsWith("cut.jpg: JPEG truncated"));
    Bytes trailing = plain;
    trailing.insert(trailing.end(), {'P', 'H', 'I'});
    auto t = stripJpegMetadata(trailing, "t.jpg");
    REQUIRE(t.ok());
    REQUIRE(t->removed.size() == 1);
    CHECK(t->removed[0].name == "bytes after EOI");
    CHECK(t->bytes == plain);
}
