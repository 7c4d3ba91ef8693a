// Formats as data: named formats against their published parameters, custom-format parsing and its errors.
#include <cmath>
#include <stdexcept>
#include <string>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "ropelab/format.hpp"

using namespace ropelab;
using Catch::Matchers::ContainsSubstring;

TEST_CASE("named formats have their published parameters", "[format]") {
  // IEEE 754-2019 table 3.5 (binary16/32/64), Google's bfloat16, NVIDIA TF32, OCP OFP8 rev 1.0 table 1.
  CHECK(formats::binary64().max_finite() == 0x1.fffffffffffffp+1023);
  CHECK(formats::binary32().max_finite() == 0x1.fffffep+127);
  CHECK(formats::binary32().min_subnormal() == 0x1p-149);
  CHECK(formats::binary16().max_finite() == 65504.0);
  CHECK(formats::binary16().min_normal() == 0x1p-14);
  CHECK(formats::binary16().min_subnormal() == 0x1p-24);
  CHECK(formats::bfloat16().max_finite() == 0x1.fep+127);
  CHECK(formats::bfloat16().min_subnormal() == 0x1p-133);
  CHECK(formats::tf32().machine_epsilon() == 0x1p-10);
  CHECK(formats::e4m3fn().max_finite() == 448.0);
  CHECK(formats::e4m3fn().min_subnormal() == 0x1p-9);
  CHECK(formats::e4m3fn().specials == SpecialValues::nan_only);
  CHECK(formats::e5m2().max_finite() == 57344.0);
  CHECK(formats::e5m2().min_subnormal() == 0x1p-16);
  CHECK(formats::bfloat16().unit_roundoff() == 0x1p-8);
}

TEST_CASE("largest exactly representable integer run", "[format]") {
  CHECK(formats::bfloat16().max_exact_integer() == 256);
  CHECK(formats::binary16().max_exact_integer() == 2048);
  CHECK(formats::binary32().max_exact_integer() == 16777216);
  CHECK(formats::binary64().max_exact_integer() == 0x1p53);
  CHECK(formats::e4m3fn().max_exact_integer() == 16);
  CHECK(formats::e5m2().max_exact_integer() == 8);
  // fp4 e2m1 (OCP MX): values 0, 0.5, 1, 1.5, 2, 3, 4, 6 -> every integer up to 4.
  CHECK(parse_format("p=2,emin=0,emax=2,specials=none,overflow=saturate").max_exact_integer() == 4);
}

TEST_CASE("format names and custom strings parse", "[format]") {
  CHECK(parse_format("bf16") == formats::bfloat16());
  CHECK(parse_format("FP16") == formats::binary16());
  CHECK(parse_format("fp8_e4m3fn") == formats::e4m3fn());
  const Format custom = parse_format("p=11,emin=-14,emax=15,subnormals=on,overflow=inf");
  CHECK(custom.precision == 11);
  CHECK(custom.max_finite() == 65504.0);
  CHECK(custom.specials == SpecialValues::ieee);
  const Format e4m3 = parse_format("p=4,emin=-6,emax=8,max=448,specials=nan,overflow=nan");
  CHECK(e4m3.max_finite() == 448.0);
  const Format mp = parse_format("mpfr:200");
  CHECK(mp.precision == 200);
  CHECK(mp.is_mpfr);
  CHECK_FALSE(mp.fits_binary64());
}

TEST_CASE("bad format strings name the field and the allowed values", "[format]") {
  const auto message = [](const std::string& text) {
    try {
      parse_format(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message("bf17"), ContainsSubstring("unknown format 'bf17'"));
  CHECK_THAT(message("p=0,emin=-14,emax=15"), ContainsSubstring("'p'"));
  CHECK_THAT(message("p=11,emin=-14"), ContainsSubstring("missing key 'emax'"));
  CHECK_THAT(message("p=11,emin=-14,emax=15,speed=fast"), ContainsSubstring("unknown key 'speed'"));
  CHECK_THAT(message("p=11,emin=-14,emax=15,overflow=wrap"), ContainsSubstring("'overflow'"));
  CHECK_THAT(message("p=11,emin=x,emax=15"), ContainsSubstring("'emin'"));
  CHECK_THAT(message("p=11,emin=-14,emax=15,specials=nan,overflow=inf"), ContainsSubstring("'overflow'"));
  CHECK_THAT(message("p=4,emin=-6,emax=8,max=449,specials=nan"), ContainsSubstring("'max'"));
  CHECK_THAT(message("p=11,emin=5,emax=15"), ContainsSubstring("'emin'"));
  CHECK_THAT(message("mpfr:0"), ContainsSubstring("mpfr"));
  CHECK_THAT(message("p=11,emin=-14,emax=15,p=12"), ContainsSubstring("given twice"));
}
