#version 450
// Panels are self-lit screens: no shading, so slides stay legible.
layout(set = 0, binding = 0) uniform sampler2D panelImage;
layout(location = 0) in vec2 vUv;
layout(location = 0) out vec4 outColor;

void main() {
    outColor = vec4(texture(panelImage, vUv).rgb, 1.0);
}
