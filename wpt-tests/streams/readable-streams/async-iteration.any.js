// META: global=window,dedicatedworker
// META: title=Async iteration of ReadableStream
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.
//
// https://streams.spec.whatwg.org/#rs-asynciterator on top of the WebIDL machinery of
// https://webidl.spec.whatwg.org/#es-asynchronous-iterator-prototype-object.
'use strict';

const AsyncIteratorPrototype =
  Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);

// A stream that has `chunks` queued and is closed, and that counts the calls to its cancel
// algorithm.
function closedStreamOf(chunks) {
  const source = {
    cancelCalls: [],
    start(controller) {
      for (const chunk of chunks) {
        controller.enqueue(chunk);
      }
      controller.close();
    },
    cancel(reason) {
      source.cancelCalls.push(reason);
    },
  };
  return { stream: new ReadableStream(source), source };
}

function assertIteratorResult(result, value, done, description) {
  assert_equals(Object.getPrototypeOf(result), Object.prototype,
                `${description}: a plain object`);
  assert_equals(result.value, value, `${description}: value`);
  assert_equals(result.done, done, `${description}: done`);
}

promise_test(async () => {
  const chunks = [new Uint8Array([1, 2]), new Uint8Array([3]), new Uint8Array([4, 5, 6])];
  const { stream } = closedStreamOf(chunks);

  const seen = [];
  for await (const chunk of stream) {
    seen.push(chunk);
  }

  assert_equals(seen.length, chunks.length, 'every chunk is yielded');
  for (let i = 0; i < chunks.length; i++) {
    assert_equals(seen[i], chunks[i], `chunk ${i} is yielded as is, in order`);
  }
  assert_false(stream.locked, 'the end of the iteration releases the reader');
}, 'for await yields the Uint8Array chunks of a stream in order');

promise_test(async () => {
  const bytes = new Uint8Array(100);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = (i * 7) % 256;
  }
  const body = new Response(bytes).body;

  const received = [];
  for await (const chunk of body) {
    assert_true(chunk instanceof Uint8Array, 'a body chunk is a Uint8Array');
    received.push(...chunk);
  }

  assert_array_equals(received, Array.from(bytes), 'the chunks add up to the body');
  assert_false(body.locked, 'the body stream is unlocked after the loop');
}, 'for await iterates over the body of a Response');

promise_test(async () => {
  const { stream, source } = closedStreamOf(['a', 'b', 'c']);

  const seen = [];
  for await (const chunk of stream) {
    seen.push(chunk);
    if (chunk === 'b') {
      break;
    }
  }

  assert_array_equals(seen, ['a', 'b']);
  assert_array_equals(source.cancelCalls, [undefined],
                      'breaking out of the loop cancels the stream once, with undefined');
  assert_false(stream.locked, 'the reader is released');
  const result = await stream.getReader().read();
  assert_true(result.done, 'the cancelled stream is closed');
}, 'breaking out of for await cancels the stream');

promise_test(async () => {
  const { stream, source } = closedStreamOf(['a', 'b', 'c']);

  for await (const chunk of stream.values({ preventCancel: true })) {
    assert_equals(chunk, 'a');
    break;
  }

  assert_array_equals(source.cancelCalls, [], 'the stream is not cancelled');
  assert_false(stream.locked, 'the reader is released');
  const reader = stream.getReader();
  assertIteratorResult(await reader.read(), 'b', false, 'the next read');
  assertIteratorResult(await reader.read(), 'c', false, 'the read after that');
  assertIteratorResult(await reader.read(), undefined, true, 'the last read');
}, 'breaking out of for await over values({ preventCancel: true }) leaves the stream readable');

promise_test(async t => {
  const error = new Error('the stream broke');
  const stream = new ReadableStream({
    start(controller) {
      controller.enqueue('before');
    },
    pull(controller) {
      controller.error(error);
    },
  });

  const seen = [];
  await promise_rejects_exactly(t, error, (async () => {
    for await (const chunk of stream) {
      seen.push(chunk);
    }
  })(), 'the loop throws the error of the stream');

  assert_array_equals(seen, ['before'], 'the chunk from before the error is yielded');
  assert_false(stream.locked, 'the error releases the reader');
}, 'for await over an erroring stream rejects with the error of the stream');

promise_test(async t => {
  const error = new Error('errored from the start');
  const stream = new ReadableStream({
    start(controller) {
      controller.error(error);
    },
  });

  const iterator = stream.values();
  await promise_rejects_exactly(t, error, iterator.next(), 'next() rejects with the error');
  assertIteratorResult(await iterator.next(), undefined, true,
                       'next() after the rejection');
}, 'next() on an errored stream rejects, and the iterator is finished afterwards');

test(() => {
  const iterator = new ReadableStream().values();
  const prototype = Object.getPrototypeOf(iterator);

  assert_equals(Object.getPrototypeOf(prototype), AsyncIteratorPrototype,
                'the prototype of the iterator prototype is %AsyncIteratorPrototype%');
  assert_equals(typeof prototype.next, 'function', 'next()');
  assert_equals(typeof prototype.return, 'function', 'return()');
  assert_equals(Object.prototype.toString.call(iterator), '[object ReadableStream AsyncIterator]',
                'the class string');
  assert_equals(iterator[Symbol.asyncIterator](), iterator,
                '%AsyncIteratorPrototype%[@@asyncIterator] returns the iterator');
}, 'the prototype chain of a ReadableStream async iterator');

test(() => {
  const stream = new ReadableStream();
  assert_equals(stream[Symbol.asyncIterator], stream.values);
  assert_equals(ReadableStream.prototype[Symbol.asyncIterator], ReadableStream.prototype.values);

  const descriptor =
    Object.getOwnPropertyDescriptor(ReadableStream.prototype, Symbol.asyncIterator);
  assert_true(descriptor.writable, 'writable');
  assert_false(descriptor.enumerable, 'not enumerable');
  assert_true(descriptor.configurable, 'configurable');
}, 'ReadableStream.prototype[Symbol.asyncIterator] is ReadableStream.prototype.values');

promise_test(async () => {
  let controller;
  const stream = new ReadableStream({
    start(c) {
      controller = c;
    },
  });
  const iterator = stream.values();

  const settled = [];
  const promises = [0, 1, 2, 3].map(i => iterator.next().then(result => {
    settled.push(i);
    return result;
  }));

  controller.enqueue('first');
  controller.enqueue('second');
  controller.enqueue('third');
  controller.close();

  const results = await Promise.all(promises);
  assertIteratorResult(results[0], 'first', false, 'the first next()');
  assertIteratorResult(results[1], 'second', false, 'the second next()');
  assertIteratorResult(results[2], 'third', false, 'the third next()');
  assertIteratorResult(results[3], undefined, true, 'the fourth next()');
  assert_array_equals(settled, [0, 1, 2, 3], 'the promises settle in the order of the calls');
}, 'next() calls made before any chunk is there resolve in order');

promise_test(async () => {
  const { stream, source } = closedStreamOf(['a', 'b']);
  const iterator = stream.values();

  const next = iterator.next();
  const returned = iterator.return('the value');
  const nextAfterReturn = iterator.next();

  assertIteratorResult(await next, 'a', false, 'the next() before return()');
  assertIteratorResult(await returned, 'the value', true, 'return()');
  assertIteratorResult(await nextAfterReturn, undefined, true, 'the next() after return()');
  assert_array_equals(source.cancelCalls, ['the value'],
                      'return() waits for next() and then cancels with its argument');
  assert_false(stream.locked, 'return() releases the reader');
}, 'return() waits for a pending next() and cancels the stream with its argument');

test(() => {
  const stream = new ReadableStream();
  stream.getReader();
  assert_throws_js(TypeError, () => stream.values(), 'values()');
  assert_throws_js(TypeError, () => stream[Symbol.asyncIterator](), '@@asyncIterator');
}, 'values() throws a TypeError for a locked stream');

test(() => {
  const stream = new ReadableStream();
  stream.values();
  assert_true(stream.locked, 'values() locks the stream');
  assert_throws_js(TypeError, () => stream.values(), 'a second values()');
}, 'values() locks the stream');

promise_test(async t => {
  const iterator = new ReadableStream().values();
  const prototype = Object.getPrototypeOf(iterator);
  await promise_rejects_js(t, TypeError, prototype.next.call({}), 'next() on a plain object');
  await promise_rejects_js(t, TypeError, prototype.return.call(new ReadableStream()),
                           'return() on a stream');
}, 'next() and return() reject instead of throwing for a this value of another kind');
