import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { geometryProblem, interiorsOverlap, placePoint, withinArea } from './geometry.ts';
import { LAKE, rect, rectRing } from './testing.ts';

describe('geometry', () => {
  const square = rect(0, 0, 10, 10, rectRing(4, 4, 6, 6));

  it('places points inside, on edges and vertices, in and on holes, outside', () => {
    assert.equal(placePoint(square, 1, 1), 'inside');
    assert.equal(placePoint(square, 0, 5), 'boundary');
    assert.equal(placePoint(square, 10, 10), 'boundary');
    assert.equal(placePoint(square, 5, 5), 'outside');
    assert.equal(placePoint(square, 4, 5), 'boundary');
    assert.equal(placePoint(square, 11, 5), 'outside');
    // A ray through a vertex must not double count.
    const diamond = {
      type: 'Polygon' as const,
      coordinates: [
        [
          [5, 0],
          [10, 5],
          [5, 10],
          [0, 5],
          [5, 0],
        ] as [number, number][],
      ],
    };
    assert.equal(placePoint(diamond, 2, 5), 'inside');
    assert.equal(placePoint(diamond, -1, 5), 'outside');
    assert.equal(placePoint(diamond, 7.5, 2.5), 'boundary');
  });

  it('names what is wrong with a geometry', () => {
    assert.equal(geometryProblem(square), null);
    assert.match(String(geometryProblem({ type: 'Point', coordinates: [0, 0] })), /Polygon or MultiPolygon/);
    assert.match(
      String(geometryProblem({ type: 'Polygon', coordinates: [rectRing(0, 0, 1, 1).slice(0, 4)] })),
      /not closed/,
    );
    assert.match(
      String(
        geometryProblem({
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 1],
              [0, 0],
            ],
          ],
        }),
      ),
      /at least 4/,
    );
    assert.match(String(geometryProblem(rect(0, 0, 200, 1))), /longitude 200/);
    assert.match(
      String(
        geometryProblem({
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 1],
              [2, 2],
              [0, 0],
            ],
          ],
        }),
      ),
      /zero area/,
    );
    assert.match(
      String(
        geometryProblem({
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              ['a', 1],
              [1, 1],
              [0, 0],
            ],
          ],
        }),
      ),
      /position 1/,
    );
  });

  it('tells overlaps from shared edges and touching corners', () => {
    assert.equal(interiorsOverlap(rect(0, 0, 1, 1), rect(1, 0, 2, 1), 1e-9), false);
    assert.equal(interiorsOverlap(rect(0, 0, 1, 1), rect(1, 1, 2, 2), 1e-9), false);
    assert.equal(interiorsOverlap(rect(0, 0, 1, 1), rect(0.5, 0.5, 2, 2), 1e-9), true);
    assert.equal(interiorsOverlap(rect(0, 0, 1, 1), rect(0, 0, 1, 1), 1e-9), true);
    // A cross: no vertex of either inside the other, but the edges cross.
    assert.equal(interiorsOverlap(rect(0, 1, 3, 2), rect(1, 0, 2, 3), 1e-9), true);
    // Within tolerance: sticking 1e-7 into the neighbour is not an overlap at 1e-6.
    assert.equal(interiorsOverlap(rect(0, 0, 1, 1), rect(1 - 1e-7, 0, 2, 1), 1e-6), false);
    // A shape inside another's hole does not overlap it.
    assert.equal(interiorsOverlap(square, rect(4.5, 4.5, 5.5, 5.5), 1e-9), false);
  });

  it('checks a child lies within its parent, holes included', () => {
    assert.equal(withinArea(rect(0, 0, 4, 4), square, 1e-9), true);
    assert.equal(withinArea(rect(0, 0, 11, 4), square, 1e-9), false);
    assert.equal(withinArea(rect(3, 3, 7, 7), square, 1e-9), false, 'covers the hole');
    const city = rect(120, 30, 120.2, 30.1, LAKE);
    assert.equal(withinArea(rect(120.1, 30, 120.2, 30.1, LAKE), city, 1e-6), true);
    assert.equal(withinArea(rect(120.1, 30, 120.2, 30.1), city, 1e-6), false);
  });
});
