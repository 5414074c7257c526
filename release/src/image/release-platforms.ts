/** The platforms every release image is built for (image build's default, and what the chart's Artifact Hub metadata lists). */
export const RELEASE_IMAGE_PLATFORMS = ["linux/amd64", "linux/arm64"] as const;
