// S3 URLs: AWS's URI encoding of keys and query parameters, canonical query order, and the two
// addressing styles.

#include <doctest/doctest.h>

#include <stdexcept>

#include "storage/s3/uri.hpp"

using namespace lambdaport::storage::detail::s3;

TEST_CASE("s3 uri_encode: unreserved bytes kept, everything else %XX in upper case") {
    CHECK(uri_encode("AZaz09-._~") == "AZaz09-._~");
    CHECK(uri_encode("a b") == "a%20b");
    CHECK(uri_encode("a+b") == "a%2Bb");
    CHECK(uri_encode("100%") == "100%25");
    CHECK(uri_encode("?#&=") == "%3F%23%26%3D");
    CHECK(uri_encode("x/y") == "x%2Fy");
    CHECK(uri_encode("x/y", true) == "x/y");
    CHECK(uri_encode("€") == "%E2%82%AC");
    CHECK(uri_encode("日本") == "%E6%97%A5%E6%9C%AC");
    CHECK(uri_encode(std::string("\0\x01\x7f\xff", 4)) == "%00%01%7F%FF");
    CHECK(uri_encode("*'()!$,;:@[]") == "%2A%27%28%29%21%24%2C%3B%3A%40%5B%5D");
    CHECK(uri_encode("") == "");
}

TEST_CASE("s3 query: encoded, sorted by name then value, every parameter with '='") {
    CHECK(query().str() == "");
    CHECK(query().add("uploads").str() == "uploads=");
    CHECK(query()
              .add("prefix", "a b/c")
              .add("list-type", "2")
              .add("delimiter", "/")
              .add("continuation-token", "1+2/3=")
              .str() ==
          "continuation-token=1%2B2%2F3%3D&delimiter=%2F&list-type=2&prefix=a%20b%2Fc");
    // Sorted by the encoded bytes, as SigV4 sorts: upper case before lower case.
    CHECK(query().add("b", "1").add("B", "2").add("a", "3").str() == "B=2&a=3&b=1");
    CHECK(query().add("uploadId", "x~y").add("partNumber", "10").str() ==
          "partNumber=10&uploadId=x~y");
}

TEST_CASE("s3 addressing: a custom endpoint is path-style") {
    addressing a("http://127.0.0.1:9000", "us-east-1");
    CHECK(a.base() == "http://127.0.0.1:9000");
    CHECK(a.url("bucket", "") == "http://127.0.0.1:9000/bucket");
    CHECK(a.url("bucket", "dir/a b+c.txt") == "http://127.0.0.1:9000/bucket/dir/a%20b%2Bc.txt");
    CHECK(a.url("bucket", "/lead//double/") == "http://127.0.0.1:9000/bucket//lead//double/");
    CHECK(a.url("bucket", "../up/./x") == "http://127.0.0.1:9000/bucket/../up/./x");
    CHECK(a.url("bucket", "k", query().add("uploads")) ==
          "http://127.0.0.1:9000/bucket/k?uploads=");
    CHECK(a.url("my.bucket", "", query().add("list-type", "2")) ==
          "http://127.0.0.1:9000/my.bucket?list-type=2");

    addressing with_path("HTTPS://minio.local/s3/", "eu-west-1");
    CHECK(with_path.base() == "https://minio.local/s3");
    CHECK(with_path.url("b", "k") == "https://minio.local/s3/b/k");
}

TEST_CASE("s3 addressing: Amazon S3 is virtual-hosted, path-style for names that are not hosts") {
    addressing a("", "eu-west-1");
    CHECK(a.base() == "https://s3.eu-west-1.amazonaws.com");
    CHECK(a.url("bucket", "") == "https://bucket.s3.eu-west-1.amazonaws.com/");
    CHECK(a.url("bucket", "a/b c") == "https://bucket.s3.eu-west-1.amazonaws.com/a/b%20c");
    CHECK(a.url("bucket", "", query().add("list-type", "2")) ==
          "https://bucket.s3.eu-west-1.amazonaws.com/?list-type=2");
    CHECK(a.url("my.bucket", "k") == "https://s3.eu-west-1.amazonaws.com/my.bucket/k");
    CHECK(a.url("Upper_Case", "k") == "https://s3.eu-west-1.amazonaws.com/Upper_Case/k");
    CHECK(addressing("", "cn-north-1").base() == "https://s3.cn-north-1.amazonaws.com.cn");
}

TEST_CASE("s3 addressing: a malformed endpoint or region is refused") {
    CHECK_THROWS_AS(addressing("127.0.0.1:9000", "us-east-1"), std::invalid_argument);
    CHECK_THROWS_AS(addressing("ftp://host", "us-east-1"), std::invalid_argument);
    CHECK_THROWS_AS(addressing("http://", "us-east-1"), std::invalid_argument);
    CHECK_THROWS_AS(addressing("http://host/x?y", "us-east-1"), std::invalid_argument);
    CHECK_THROWS_AS(addressing("", "us-east-1/evil"), std::invalid_argument);
    CHECK_THROWS_AS(addressing("", ""), std::invalid_argument);
}

TEST_CASE("s3 copy_source and bucket names") {
    CHECK(copy_source("src", "a b/c+d") == "/src/a%20b/c%2Bd");
    CHECK(virtual_host_compatible("my-bucket-1"));
    CHECK_FALSE(virtual_host_compatible("my.bucket"));
    CHECK_FALSE(virtual_host_compatible("ab"));
    CHECK_FALSE(virtual_host_compatible("-bucket"));
    CHECK_FALSE(virtual_host_compatible("Bucket"));
    CHECK(valid_bucket_name("Legacy_Bucket.name-1"));
    CHECK_FALSE(valid_bucket_name(""));
    CHECK_FALSE(valid_bucket_name(".."));
    CHECK_FALSE(valid_bucket_name("a/b"));
    CHECK_FALSE(valid_bucket_name("a?b"));
    CHECK_FALSE(valid_bucket_name("a b"));
}
