#version 450
// Panels are self-lit screens: no shading, so slides stay legible.
// Grey slides hold stored samples; per panel, in this order: signed bias,
// modality rescale, the linear VOI window (DICOM PS3.3 C.11.2.1.2.1, the
// same arithmetic as media::applyWindow), MONOCHROME1 inversion. The image is
// letterboxed into the panel through the view rectangle; laser dots on top.
// Live video (window.w 2) is one R8 texture of I420 planes: the Y rows, then
// below them Cb and Cr side by side (render::packI420); converted here with
// BT.601 limited range, as VP8 carries it (render::bt601ToRgb is the same).
// Uniform layout: render::PanelParams (renderer.h).
layout(set = 0, binding = 0) uniform sampler2D panelImage;
layout(set = 0, binding = 1) uniform PanelParams {
    vec4 view;    // xy: image uv at the panel centre; zw: image uv per panel uv
    vec4 value;   // x: unorm -> stored sample, y: bias, z: slope, w: intercept
    vec4 window;  // x: centre - 0.5, y: (width - 1) / 2, z: width - 1, w: 1 grey / 0 colour / 2 video
    vec4 misc;    // x: invert, y: dot count, z: dot radius (panel heights), w: panel aspect
    vec4 target;  // x: 1 when the target encodes sRGB
    vec4 dots[4]; // two dots (u, v) per vec4
} p;
layout(location = 0) in vec2 vUv;
layout(location = 0) out vec4 outColor;

const vec3 kBar = vec3(0.0);                  // letterbox bars: black, as light boxes and viewers show
const vec3 kLaser = vec3(1.0, 0.08, 0.05);

float voiLinear(float x) {
    float c = p.window.x, halfWidth = p.window.y;
    if (x <= c - halfWidth) return 0.0;
    if (x > c + halfWidth) return 1.0;
    return (x - c) / p.window.z + 0.5;
}

vec3 srgbDecode(vec3 c) {
    // The hardware encodes on an sRGB target; hand it the linear value whose encoding is `c`.
    return mix(c / 12.92, pow((c + 0.055) / 1.055, vec3(2.4)), step(vec3(0.04045), c));
}

// BT.601, limited range (Y 16..235, Cb Cr 16..240), to display RGB.
vec3 bt601(float y, float cb, float cr) {
    float l = 1.164384 * (y - 16.0 / 255.0);
    float b = cb - 128.0 / 255.0, r = cr - 128.0 / 255.0;
    return clamp(vec3(l + 1.596027 * r, l - 0.391762 * b - 0.812968 * r, l + 2.017232 * b), 0.0, 1.0);
}

// The picture at `c` (0..1) from the packed planes; each plane's samples are
// clamped half a texel inside it, so bilinear filtering never mixes planes.
vec3 videoAt(vec2 c) {
    vec2 texel = 1.0 / vec2(textureSize(panelImage, 0));
    const float lumaRows = 2.0 / 3.0;        // Y is the top two thirds of the texture
    vec2 yUv = vec2(c.x, c.y * lumaRows);
    yUv = clamp(yUv, texel * 0.5, vec2(1.0 - texel.x * 0.5, lumaRows - texel.y * 0.5));
    float cy = clamp(lumaRows + c.y / 3.0, lumaRows + texel.y * 0.5, 1.0 - texel.y * 0.5);
    float cbX = clamp(c.x * 0.5, texel.x * 0.5, 0.5 - texel.x * 0.5);
    float crX = clamp(0.5 + c.x * 0.5, 0.5 + texel.x * 0.5, 1.0 - texel.x * 0.5);
    return bt601(textureLod(panelImage, yUv, 0.0).r, textureLod(panelImage, vec2(cbX, cy), 0.0).r,
                 textureLod(panelImage, vec2(crX, cy), 0.0).r);
}

void main() {
    vec2 iuv = p.view.xy + (vUv - 0.5) * p.view.zw;
    // Sampled in uniform control flow (implicit derivatives), used only inside the image.
    vec4 s = texture(panelImage, iuv);
    vec3 color = kBar;
    if (all(greaterThanEqual(iuv, vec2(0.0))) && all(lessThanEqual(iuv, vec2(1.0)))) {
        if (p.window.w > 1.5) {
            color = videoAt(iuv);
        } else if (p.window.w > 0.5) {
            float stored = s.r * p.value.x - p.value.y;
            float modality = stored * p.value.z + p.value.w;
            float y = voiLinear(modality);
            if (p.misc.x > 0.5) y = 1.0 - y;
            color = vec3(y);
        } else {
            color = s.rgb;
        }
    }
    int dots = int(p.misc.y + 0.5);
    float radius = p.misc.z;
    for (int i = 0; i < dots; ++i) {
        vec4 pair = p.dots[i / 2];
        vec2 at = (i % 2 == 0) ? pair.xy : pair.zw;
        vec2 d = (vUv - at) * vec2(p.misc.w, 1.0); // panel heights in both axes: round dots
        float a = 1.0 - smoothstep(radius * 0.55, radius, length(d));
        color = mix(color, kLaser, a);
    }
    if (p.target.x > 0.5) color = srgbDecode(color);
    outColor = vec4(color, 1.0);
}
