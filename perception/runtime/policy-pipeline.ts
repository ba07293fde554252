// The worker's per-frame chain: TS preprocess → vision model → task observation + proprioception → environment
// features → policy → denormalized action chunk. Built inside the worker from a PipelineConfig; missing model files
// are replaced by stand-ins when the config allows, and the info says so.
import { existsSync, readFileSync } from 'node:fs';
import { parsePolicyContract } from '../../policies/contract.js';
import { EnvFeatureBuilder, emptyTaskObservation, type TaskObservation } from '../../policies/features.js';
import { OnnxPolicy } from '../../policies/onnx-policy.js';
import { Kinematics, loadArmDescription } from '../../runtime/robot/index.js';
import { TsPreprocessor } from '../preprocess/ts-preprocessor.js';
import {
  AUX, AUX_LENGTH, FEATURE_HEAD, type PipelineConfig, type PipelineInfo, type PipelineOutput, type PipelineRequest,
  type WorkerPipeline,
} from './pipeline.js';
import { T } from './shared-channel.js';
import { buildStandInPolicy, buildStandInVisionModel } from './stand-in-models.js';
import { LocalizerVision, type VisionStage } from './vision-stage.js';

interface ModelBytes {
  bytes: Uint8Array;
  source: string;
  standIn: boolean;
}

/** Whether the model file is to be used; false (with a note) when a stand-in takes its place. */
function useModelFile(kind: 'vision model' | 'policy', path: string | undefined, config: PipelineConfig, notes: string[]): path is string {
  const mode = config.standIn ?? 'if-missing';
  if (mode === 'always') {
    notes.push(`${kind}: stand-in (standIn: 'always')`);
    return false;
  }
  if (path && existsSync(path)) return true;
  const why = path ? `${path} does not exist` : 'no path configured';
  if (mode === 'never') throw new Error(`createPipeline: ${kind}: ${why}; train/export it first, or allow stand-ins with standIn: 'if-missing'`);
  notes.push(`${kind}: stand-in, because ${why}`);
  return false;
}

export async function createPipeline(config: PipelineConfig): Promise<WorkerPipeline> {
  const notes: string[] = [];
  const { camera } = config;
  const description = config.urdfPath ? loadArmDescription(config.urdfPath) : loadArmDescription();

  const visionStage = await LocalizerVision.create(
    useModelFile('vision model', config.visionModelPath, config, notes) ? config.visionModelPath : { bytes: buildStandInVisionModel({ frameWidth: camera.width, frameHeight: camera.height }), name: 'stand-in' },
    config.executionProviders,
    new Kinematics(description),
    notes,
  );

  // The model's input size fixes the factor: frames are reduced by an integer box mean to exactly that size.
  const fx = camera.width / visionStage.inputWidth;
  const fy = camera.height / visionStage.inputHeight;
  if (!Number.isInteger(fx) || fx !== fy || (config.preprocess?.factor !== undefined && config.preprocess.factor !== fx)) {
    await visionStage.release();
    throw new Error(`createPipeline: camera ${camera.width}×${camera.height} does not reduce by one integer factor${config.preprocess?.factor ? ` (${config.preprocess.factor})` : ''} to the vision input ${visionStage.inputWidth}×${visionStage.inputHeight}`);
  }
  const preprocessor = new TsPreprocessor({ inputWidth: camera.width, inputHeight: camera.height, factor: fx });
  // The preprocessing writes straight into the model's input tensor.
  const input = visionStage.input;

  const policy: ModelBytes = useModelFile('policy', config.policyModelPath, config, notes)
    ? { bytes: readFileSync(config.policyModelPath), source: config.policyModelPath, standIn: false }
    : { bytes: buildStandInPolicy(description), source: 'stand-in', standIn: true };
  let policyRunner: OnnxPolicy;
  try {
    const contract = parsePolicyContract(policy.bytes, policy.source, description);
    for (const cam of contract.cameras) {
      if (cam.height !== preprocessor.spec.outputHeight || cam.width !== preprocessor.spec.outputWidth) {
        throw new Error(`createPipeline: ${policy.source} input "${cam.input}" is ${cam.width}×${cam.height}, the worker preprocesses to ${preprocessor.spec.outputWidth}×${preprocessor.spec.outputHeight}`);
      }
    }
    // The provider the vision model got, so both models run on the same one.
    policyRunner = await OnnxPolicy.create({ contract, bytes: policy.bytes }, { executionProviders: [visionStage.executionProvider], intraOpNumThreads: config.intraOpNumThreads });
  } catch (error) {
    await visionStage.release();
    throw error;
  }
  const c = policyRunner.contract;
  const features = new EnvFeatureBuilder(c.envFeatureNames, description);
  const info: PipelineInfo = {
    executionProvider: visionStage.executionProvider,
    preprocess: 'ts',
    preprocessSpec: { ...preprocessor.spec },
    vision: { source: visionStage.source, standIn: visionStage.standIn, classes: [...visionStage.classes] },
    policy: {
      source: policy.source, standIn: policy.standIn, chunkSize: c.chunkSize, actionDim: c.actionNames.length,
      nActionSteps: c.nActionSteps, fps: c.fps, envFeatureNames: [...c.envFeatureNames],
    },
    stateLength: description.commandJointNames.length,
    auxLength: AUX_LENGTH,
    actionLength: policyRunner.chunk.length,
    featureNames: [...FEATURE_HEAD, ...c.envFeatureNames],
    notes,
  };
  return new PolicyPipeline(info, preprocessor, input, visionStage, policyRunner, features);
}

class PolicyPipeline implements WorkerPipeline {
  readonly info: PipelineInfo;
  readonly #pre: TsPreprocessor;
  readonly #input: Float32Array;
  readonly #vision: VisionStage;
  readonly #policy: OnnxPolicy;
  readonly #features: EnvFeatureBuilder;
  readonly #task: TaskObservation = emptyTaskObservation();
  #targetClass = -1;

  constructor(info: PipelineInfo, pre: TsPreprocessor, input: Float32Array, vision: VisionStage, policy: OnnxPolicy, features: EnvFeatureBuilder) {
    this.info = info;
    this.#pre = pre;
    this.#input = input;
    this.#vision = vision;
    this.#policy = policy;
    this.#features = features;
  }

  async run(req: PipelineRequest, out: PipelineOutput): Promise<void> {
    const t0 = performance.now();
    this.#pre.runRaw(req.pixels, req.bgr, this.#input);
    const t1 = performance.now();
    const task = this.#task;
    const targetClass = req.aux[AUX.TARGET_CLASS];
    // A new target: where the old one was seen says nothing about it.
    if (targetClass !== this.#targetClass) {
      this.#targetClass = targetClass;
      task.valid = false;
    }
    const seen = await this.#vision.run(targetClass, task, req.state);
    const t2 = performance.now();
    task.binXM = req.aux[AUX.BIN_X_M];
    task.binYM = req.aux[AUX.BIN_Y_M];
    const policy = this.#policy;
    for (let i = 0; i < policy.state.length; i++) policy.state[i] = req.state[i];
    if (policy.env.length > 0) this.#features.build(task, req.state, req.aux[AUX.GRIPPER_EFFORT_N], policy.env);
    // An image policy reads the same preprocessed frame the vision model did.
    for (const image of policy.images.values()) image.set(this.#input.subarray(0, image.length));
    const chunk = await policy.run();
    for (let i = 0; i < chunk.length; i++) out.actions[i] = chunk[i];
    const t3 = performance.now();
    out.timings[T.PREPROCESS] = t1 - t0;
    out.timings[T.VISION] = t2 - t1;
    out.timings[T.POLICY] = t3 - t2;
    const f = out.features;
    f[0] = task.objectXM;
    f[1] = task.objectYM;
    f[2] = task.objectYawRad;
    f[3] = seen ? 1 : 0;
    f.set(this.#policy.env, FEATURE_HEAD.length);
  }

  async release(): Promise<void> {
    await this.#vision.release();
    await this.#policy.dispose();
  }
}
