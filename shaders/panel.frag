#version 450
// Panels are self-lit screens: no shading, so slides stay legible.
// Grey slides hold stored samples; per panel, in this order: signed bias,
// modality rescale, the linear VOI window (DICOM PS3.3 C.11.2.1.2.1, the
// same arithmetic as media::applyWindow), MONOCHROME1 inversion. The image is
// letterboxed into the panel through the view rectangle; laser dots on top.
// Uniform layout: render::PanelParams (renderer.h).
layout(set = 0, binding = 0) uniform sampler2D panelImage;
layout(set = 0, binding = 1) uniform PanelParams {
    vec4 view;    // xy: image uv at the panel centre; zw: image uv per panel uv
    vec4 value;   // x: unorm -> stored sample, y: bias, z: slope, w: intercept
    vec4 window;  // x: centre - 0.5, y: (width - 1) / 2, z: width - 1, w: 1 grey / 0 colour
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

void main() {
    vec2 iuv = p.view.xy + (vUv - 0.5) * p.view.zw;
    // Sampled in uniform control flow (implicit derivatives), used only inside the image.
    vec4 s = texture(panelImage, iuv);
    vec3 color = kBar;
    if (all(greaterThanEqual(iuv, vec2(0.0))) && all(lessThanEqual(iuv, vec2(1.0)))) {
        if (p.window.w > 0.5) {
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
