// main.cpp — kiln_ocr: reads the text in a PNG image with PaddleOCR (PP-OCR)
// models compiled and run by Kiln, printing one recognized line per output line.
//
//   kiln_ocr --det DET.onnx --rec REC.onnx --keys ppocr_keys_v1.txt
//            [--cls CLS.onnx] [--threads N] IMAGE.png
//
// Exit status: 0 ok, 1 usage error, 2 a model, the keys file or the image failed.
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "charset.h"
#include "kiln_model.h"
#include "ocr_pipeline.h"
#include "png_io.h"

namespace {

constexpr const char* kUsage =
    "usage: kiln_ocr --det DET.onnx --rec REC.onnx --keys KEYS.txt [--cls CLS.onnx] [--threads N] IMAGE.png\n";

struct Arguments {
  std::string det, rec, keys, cls, image;
  int threads = 1;
};

// Returns nullopt (after printing why) when the command line is not usable.
std::optional<Arguments> parseArguments(int argc, char** argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    std::string* target = arg == "--det" ? &args.det
                          : arg == "--rec" ? &args.rec
                          : arg == "--keys" ? &args.keys
                          : arg == "--cls" ? &args.cls
                                           : nullptr;
    if (target != nullptr || arg == "--threads") {
      const char* v = value();
      if (v == nullptr) {
        std::fprintf(stderr, "kiln_ocr: %s needs a value\n", arg.c_str());
        return std::nullopt;
      }
      if (target != nullptr) {
        *target = v;
        continue;
      }
      try {
        size_t used = 0;
        args.threads = std::stoi(v, &used);
        if (used != std::string(v).size() || args.threads < 1) throw std::invalid_argument(v);
      } catch (const std::exception&) {
        std::fprintf(stderr, "kiln_ocr: --threads expects a positive integer, got '%s'\n", v);
        return std::nullopt;
      }
    } else if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr, "kiln_ocr: unknown option %s\n", arg.c_str());
      return std::nullopt;
    } else if (args.image.empty()) {
      args.image = arg;
    } else {
      std::fprintf(stderr, "kiln_ocr: more than one image given\n");
      return std::nullopt;
    }
  }
  if (args.det.empty() || args.rec.empty() || args.keys.empty() || args.image.empty()) {
    std::fprintf(stderr, "kiln_ocr: --det, --rec, --keys and an image are required\n");
    return std::nullopt;
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<Arguments> args = parseArguments(argc, argv);
  if (!args) {
    std::fputs(kUsage, stderr);
    return 1;
  }
  try {
    using namespace kiln_ocr;
    const Image image = loadPng(args->image);
    std::unique_ptr<KilnModel> cls;
    if (!args->cls.empty()) cls = std::make_unique<KilnModel>(args->cls, args->threads);
    const OcrPipeline pipeline(KilnModel(args->det, args->threads), KilnModel(args->rec, args->threads),
                               std::move(cls), Charset::load(args->keys, /*useSpaceChar=*/true));
    for (const RecognizedText& line : pipeline.read(image)) std::printf("%s\n", line.text.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kiln_ocr: %s\n", e.what());
    return 2;
  }
}
