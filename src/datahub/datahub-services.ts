/** What the data hub capability's instance hands out, and the key its dependents use. */
import { capabilityKey } from '../kernel/index.ts';
import type { DatahubContext } from './datahub-context.ts';
import type { MqttIngest } from './mqtt-ingest.ts';
import type { ObservationWriter } from './observation-writer.ts';

/** What the data hub capability's instance hands out (operations' metrics, seeding, tests). */
export interface DatahubServices {
  readonly context: DatahubContext;
  /** This app's write coalescer. */
  readonly writer: ObservationWriter;
  /** The MQTT consumer, once started with `MQTT_URL` (tests wait for it to be subscribed). */
  mqtt(): MqttIngest | null;
  /** Observations stored since start, rows waiting (metrics). */
  ingestionFigures(): { stored: number; queued: number };
  /** Waits until every observation queued is stored and announced. */
  drain(): Promise<void>;
}

/** The key of the data hub capability's services. */
export const DATAHUB = capabilityKey<DatahubServices>('datahub');
