/** What every release image is: its platforms (image build's default, and what the chart's Artifact Hub metadata lists). */
export const RELEASE_IMAGE_PLATFORMS = ["linux/amd64", "linux/arm64"] as const;

/** The size budget of a release image per platform (image build and image verify's default). */
export const RELEASE_IMAGE_MAX_SIZE = "200MB";
