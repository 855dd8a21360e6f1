// META: title=WebAssembly streaming compilation reads any Response body, whoever made its stream
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.
//
// https://webassembly.github.io/spec/web-api/#compile-a-potential-webassembly-response consumes
// the response's body: a body stream made by script (a ReadableStream, a tee() branch,
// Blob.stream()) must work like one fed by the network.
'use strict';

const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,
  0x03, 0x02, 0x01, 0x00,
  0x07, 0x0a, 0x01, 0x06, 0x61, 0x6e, 0x73, 0x77, 0x65, 0x72, 0x00, 0x00,
  0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b,
]);
const WASM = { 'Content-Type': 'application/wasm' };
const URL_ = 'resources/answer.py';

function streamOf(chunks, { error } = {}) {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      if (error) controller.error(error);
      else controller.close();
    },
  });
}

// One chunk per byte: the consumer must see every one, in order.
function byteByByte(bytes) {
  return Array.from(bytes, b => new Uint8Array([b]));
}

async function assertAnswers(module) {
  assert_true(module instanceof WebAssembly.Module, 'a Module');
  const instance = await WebAssembly.instantiate(module);
  assert_equals(instance.exports.answer(), 42);
}

promise_test(async () => {
  const response = new Response(streamOf(byteByByte(MODULE)), { headers: WASM });
  await assertAnswers(await WebAssembly.compileStreaming(response));
}, 'compileStreaming() compiles a script-made ReadableStream body, one byte per chunk');

promise_test(async () => {
  const response = new Response(streamOf([MODULE]), { headers: WASM });
  const { module, instance } = await WebAssembly.instantiateStreaming(response);
  assert_true(module instanceof WebAssembly.Module);
  assert_equals(instance.exports.answer(), 42);
}, 'instantiateStreaming() instantiates a script-made ReadableStream body');

promise_test(async () => {
  const blob = new Blob([MODULE.subarray(0, 9), MODULE.subarray(9)]);
  const response = new Response(blob.stream(), { headers: WASM });
  await assertAnswers(await WebAssembly.compileStreaming(response));
}, 'compileStreaming() compiles a Blob.stream() body');

promise_test(async () => {
  await assertAnswers(await WebAssembly.compileStreaming(new Response(new Blob([MODULE]), { headers: WASM })));
}, 'compileStreaming() compiles a Blob body');

promise_test(async () => {
  // The Flutter loader's store path: one branch is compiled, the other kept.
  const fetched = await fetch(URL_);
  const [toCompile, toKeep] = fetched.body.tee();
  const [module, kept] = await Promise.all([
    WebAssembly.compileStreaming(new Response(toCompile, { headers: WASM })),
    new Response(toKeep).arrayBuffer(),
  ]);
  await assertAnswers(module);
  assert_array_equals(new Uint8Array(kept), MODULE);
}, 'compileStreaming() compiles one tee() branch of a fetched body while the other is read');

promise_test(async () => {
  await assertAnswers(await WebAssembly.compileStreaming(fetch(URL_)));
}, 'compileStreaming() still compiles a fetch() promise');

promise_test(async () => {
  // The whole body has arrived, and sits in the body stream, before compilation starts.
  const response = await fetch(URL_);
  await new Promise(resolve => setTimeout(resolve, 300));
  await assertAnswers(await WebAssembly.compileStreaming(response));
}, 'compileStreaming() compiles a fetched body that arrived before it was called');

promise_test(async () => {
  const response = (await fetch(URL_)).clone();
  await assertAnswers(await WebAssembly.compileStreaming(response));
}, 'compileStreaming() compiles the body of a cloned fetched Response');

promise_test(async () => {
  const response = new Response(streamOf([MODULE.subarray(0, 8)], { error: new Error('cut') }), { headers: WASM });
  // The spec rejects with the stream's error; the engine's consumer interface carries only an
  // error code, so the exact reason is not asserted: the promise must settle, rejected.
  let rejected = false;
  await WebAssembly.compileStreaming(response).catch(() => { rejected = true; });
  assert_true(rejected, 'rejected');
}, 'compileStreaming() rejects when the body stream errors');

promise_test(async t => {
  const response = new Response(streamOf([MODULE.subarray(0, 8), [1, 2, 3]]), { headers: WASM });
  await promise_rejects_js(t, TypeError, WebAssembly.compileStreaming(response));
}, 'compileStreaming() rejects with a TypeError for a chunk that is not a Uint8Array');

promise_test(async t => {
  const response = new Response(streamOf([new Uint8Array([0, 0x61, 0x73, 0x6d, 9, 9, 9, 9])]), { headers: WASM });
  await promise_rejects_js(t, WebAssembly.CompileError, WebAssembly.compileStreaming(response));
}, 'compileStreaming() rejects with a CompileError for bytes that are not a module');

promise_test(async t => {
  await promise_rejects_js(t, WebAssembly.CompileError,
                           WebAssembly.compileStreaming(new Response(null, { headers: WASM })));
}, 'compileStreaming() rejects with a CompileError for a null body');

promise_test(async t => {
  const response = new Response(streamOf([MODULE]), { headers: WASM });
  response.body.getReader();
  await promise_rejects_js(t, TypeError, WebAssembly.compileStreaming(response));
}, 'compileStreaming() rejects with a TypeError for a locked body');

promise_test(async t => {
  const response = new Response(streamOf([MODULE]), { headers: { 'Content-Type': 'text/plain' } });
  await promise_rejects_js(t, TypeError, WebAssembly.compileStreaming(response));
}, 'compileStreaming() rejects with a TypeError for a MIME type other than application/wasm');
