#!/usr/bin/python3
"""Reference values for the metric library (libs/evaluation/src/metrics).

Writes libs/evaluation/fixtures/sklearn-reference.json: deterministic random datasets (seeded, Python's own
Mersenne Twister, so the inputs do not depend on the numpy version) and the values that

- scikit-learn (Debian's python3-sklearn; `apt-get install -y python3-sklearn`) computes for accuracy, F1,
  precision, recall, roc_auc, log_loss, rmse, mae, mape and r2;
- the reference implementations in this file compute for map_iou and bleu, because pycocotools and sacrebleu
  are not packaged in Debian:
  * `coco_map` follows pycocotools' COCOeval (iouType 'bbox') step by step: `_prepare` (ignore = iscrowd),
    `computeIoU` (maskApi.c `bbIou`), `evaluateImg` (greedy matching), `accumulate` (101-point interpolated
    precision) and `summarize` (stats[0]: mean of the precision entries > -1 at area 'all', maxDets 100);
  * `sacrebleu_corpus_bleu` follows sacreBLEU 2.x `BLEU(tokenize='zh')` with its defaults (smooth 'exp',
    max order 4), including its Chinese character ranges as Python evaluates them.
  The TypeScript code is a separate implementation; agreeing with these is a cross-check, and the small
  hand-computed cases in the *.spec.ts files check both against first principles.

Run from the repository root:  /usr/bin/python3 scripts/metrics-reference/make_fixtures.py
then format the output:        npx prettier --write libs/evaluation/fixtures/sklearn-reference.json
(the script runs prettier itself when npx is available). Output is byte-identical across runs.
"""

import json
import math
import os
import platform
import random
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict

import numpy as np
import sklearn
from sklearn import metrics as skm

SEED = 20240601
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'libs', 'evaluation', 'fixtures', 'sklearn-reference.json')


def rnd(seed_offset):
    return random.Random(SEED + seed_offset)


# ----------------------------------------------------------------------------------------------------------------
# datasets


def labels_multiclass():
    r = rnd(1)
    classes = ['城管', '交通', '环保', '民生', '治安']
    weights = [0.4, 0.25, 0.15, 0.12, 0.08]
    truth, pred = [], []
    for _ in range(300):
        t = r.choices(classes, weights)[0]
        if r.random() < 0.65:
            p = t
        else:
            # some predictions use a label that never occurs in the truth ('其他')
            p = r.choice(classes + ['其他'])
        truth.append(t)
        pred.append(p)
    return {'kind': 'label', 'truth': truth, 'prediction': pred}


def labels_binary(labels, n, seed_offset):
    r = rnd(seed_offset)
    truth, pred = [], []
    for _ in range(n):
        t = labels[1] if r.random() < 0.3 else labels[0]
        p = t if r.random() < 0.8 else labels[1 - labels.index(t)]
        truth.append(t)
        pred.append(p)
    return {'kind': 'label', 'truth': truth, 'prediction': pred}


def proba_binary(labels, n, seed_offset, decimals):
    r = rnd(seed_offset)
    truth, pred = [], []
    for _ in range(n):
        y = 1 if r.random() < 0.4 else 0
        score = min(1.0, max(0.0, r.gauss(0.35 + 0.3 * y, 0.22)))  # clamped: some exact 0 and 1
        if decimals is not None:
            score = round(score, decimals)  # ties
        truth.append(labels[y])
        pred.append(score)
    return {'kind': 'probability', 'truth': truth, 'prediction': pred}


def proba_multiclass():
    r = rnd(7)
    classes = ['a', 'b', 'c', 'd']
    truth, pred = [], []
    for _ in range(300):
        y = r.randrange(4)
        # small integer weights give many ties; dividing by the sum keeps rows summing to 1 (sklearn checks)
        w = [r.randint(1, 6) for _ in classes]
        w[y] += r.randint(0, 6)
        s = sum(w)
        truth.append(classes[y])
        pred.append([x / s for x in w])
    return {'kind': 'probability', 'classes': classes, 'truth': truth, 'prediction': pred}


def regression():
    r = rnd(9)
    truth, pred = [], []
    for i in range(300):
        y = r.gauss(50, 20) if i % 10 else r.uniform(-0.5, 0.5)  # some values near 0 for mape
        truth.append(y)
        pred.append(y + r.gauss(0, 6))
    return {'kind': 'numeric', 'truth': truth, 'prediction': pred}


# ----------------------------------------------------------------------------------------------------------------
# COCOeval (bbox) reimplementation


def bb_iou(d, g, crowd):
    """maskApi.c bbIou for one pair."""
    w = min(d[2] + d[0], g[2] + g[0]) - max(d[0], g[0])
    if w <= 0:
        return 0.0
    h = min(d[3] + d[1], g[3] + g[1]) - max(d[1], g[1])
    if h <= 0:
        return 0.0
    i = w * h
    da = d[2] * d[3]
    u = da if crowd else da + g[2] * g[3] - i
    return i / u


def coco_map(gt_json, results, max_det=100):
    iou_thrs = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
    rec_thrs = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
    img_ids = sorted(img['id'] for img in gt_json['images'])
    cat_ids = sorted(c['id'] for c in gt_json['categories'])

    # _prepare
    gts, dts = defaultdict(list), defaultdict(list)
    for i, ann in enumerate(gt_json['annotations']):
        g = dict(ann)
        g['id'] = i + 1
        g['area'] = g['bbox'][2] * g['bbox'][3]
        g['ignore'] = 'iscrowd' in g and g['iscrowd']
        gts[g['image_id'], g['category_id']].append(g)
    for i, res in enumerate(results):
        d = dict(res)
        d['id'] = i + 1
        d['area'] = d['bbox'][2] * d['bbox'][3]
        dts[d['image_id'], d['category_id']].append(d)

    def compute_iou(img_id, cat_id):
        gt, dt = gts[img_id, cat_id], dts[img_id, cat_id]
        if len(gt) == 0 and len(dt) == 0:
            return []
        inds = np.argsort([-d['score'] for d in dt], kind='mergesort')
        dt = [dt[i] for i in inds][0:max_det]
        if len(dt) == 0 or len(gt) == 0:
            return []
        return np.array([[bb_iou(d['bbox'], g['bbox'], int(g['iscrowd']) if 'iscrowd' in g else 0) for g in gt]
                         for d in dt])

    def evaluate_img(img_id, cat_id):
        gt, dt = gts[img_id, cat_id], dts[img_id, cat_id]
        if len(gt) == 0 and len(dt) == 0:
            return None
        for g in gt:
            g['_ignore'] = 1 if (g['ignore'] or g['area'] < 0 or g['area'] > 1e5 ** 2) else 0
        gtind = np.argsort([g['_ignore'] for g in gt], kind='mergesort')
        gt = [gt[i] for i in gtind]
        dtind = np.argsort([-d['score'] for d in dt], kind='mergesort')
        dt = [dt[i] for i in dtind[0:max_det]]
        iscrowd = [int(o['iscrowd']) if 'iscrowd' in o else 0 for o in gt]
        ious_full = compute_iou(img_id, cat_id)
        ious = ious_full[:, gtind] if len(ious_full) > 0 else ious_full
        T, G, D = len(iou_thrs), len(gt), len(dt)
        gtm = np.zeros((T, G))
        dtm = np.zeros((T, D))
        gt_ig = np.array([g['_ignore'] for g in gt])
        dt_ig = np.zeros((T, D))
        if not len(ious) == 0:
            for tind, t in enumerate(iou_thrs):
                for dind, d in enumerate(dt):
                    iou = min([t, 1 - 1e-10])
                    m = -1
                    for gind, g in enumerate(gt):
                        if gtm[tind, gind] > 0 and not iscrowd[gind]:
                            continue
                        if m > -1 and gt_ig[m] == 0 and gt_ig[gind] == 1:
                            break
                        if ious[dind, gind] < iou:
                            continue
                        iou = ious[dind, gind]
                        m = gind
                    if m == -1:
                        continue
                    dt_ig[tind, dind] = gt_ig[m]
                    dtm[tind, dind] = gt[m]['id']
                    gtm[tind, m] = d['id']
        a = np.array([d['area'] < 0 or d['area'] > 1e5 ** 2 for d in dt]).reshape((1, len(dt)))
        dt_ig = np.logical_or(dt_ig, np.logical_and(dtm == 0, np.repeat(a, T, 0)))
        return {'dtMatches': dtm, 'dtScores': [d['score'] for d in dt], 'gtIgnore': gt_ig, 'dtIgnore': dt_ig}

    T, R, K = len(iou_thrs), len(rec_thrs), len(cat_ids)
    precision = -np.ones((T, R, K))
    for k, cat_id in enumerate(cat_ids):
        E = [evaluate_img(img_id, cat_id) for img_id in img_ids]
        E = [e for e in E if e is not None]
        if len(E) == 0:
            continue
        dt_scores = np.concatenate([e['dtScores'][0:max_det] for e in E])
        inds = np.argsort(-dt_scores, kind='mergesort')
        dtm = np.concatenate([e['dtMatches'][:, 0:max_det] for e in E], axis=1)[:, inds]
        dt_ig = np.concatenate([e['dtIgnore'][:, 0:max_det] for e in E], axis=1)[:, inds]
        gt_ig = np.concatenate([e['gtIgnore'] for e in E])
        npig = np.count_nonzero(gt_ig == 0)
        if npig == 0:
            continue
        tps = np.logical_and(dtm, np.logical_not(dt_ig))
        fps = np.logical_and(np.logical_not(dtm), np.logical_not(dt_ig))
        tp_sum = np.cumsum(tps, axis=1).astype(dtype=float)
        fp_sum = np.cumsum(fps, axis=1).astype(dtype=float)
        for t, (tp, fp) in enumerate(zip(tp_sum, fp_sum)):
            tp, fp = np.array(tp), np.array(fp)
            nd = len(tp)
            rc = tp / npig
            pr = (tp / (fp + tp + np.spacing(1))).tolist()
            q = np.zeros((R,))
            for i in range(nd - 1, 0, -1):
                if pr[i] > pr[i - 1]:
                    pr[i - 1] = pr[i]
            inds_r = np.searchsorted(rc, rec_thrs, side='left')
            try:
                for ri, pi in enumerate(inds_r):
                    q[ri] = pr[pi]
            except IndexError:
                pass
            precision[t, :, k] = np.array(q)
    s = precision[precision > -1]
    return float(np.mean(s)) if len(s) else -1.0, iou_thrs.tolist(), rec_thrs.tolist()


def detection_hand():
    """Two images, two categories; see map_iou.spec.ts for the hand computation."""
    gt = {
        'images': [{'id': 1}, {'id': 2}],
        'categories': [{'id': 1, 'name': 'car'}, {'id': 2, 'name': 'person'}],
        'annotations': [
            {'image_id': 1, 'category_id': 1, 'bbox': [0, 0, 10, 10], 'iscrowd': 0},
            {'image_id': 1, 'category_id': 1, 'bbox': [20, 20, 10, 10], 'iscrowd': 0},
            {'image_id': 2, 'category_id': 1, 'bbox': [0, 0, 10, 10], 'iscrowd': 0},
            {'image_id': 2, 'category_id': 2, 'bbox': [50, 50, 20, 40], 'iscrowd': 0},
        ],
    }
    results = [
        {'image_id': 1, 'category_id': 1, 'bbox': [0, 0, 10, 10], 'score': 0.9},  # IoU 1
        {'image_id': 1, 'category_id': 1, 'bbox': [20, 20, 10, 8], 'score': 0.8},  # IoU 0.8
        {'image_id': 2, 'category_id': 1, 'bbox': [40, 40, 10, 10], 'score': 0.95},  # false positive
        {'image_id': 2, 'category_id': 1, 'bbox': [0, 0, 10, 10], 'score': 0.5},  # IoU 1
        {'image_id': 2, 'category_id': 2, 'bbox': [50, 50, 20, 20], 'score': 0.7},  # IoU 0.5
    ]
    return gt, results


def detection_random():
    r = rnd(11)
    cats = [1, 2, 3]
    gt = {'images': [], 'categories': [{'id': c, 'name': f'c{c}'} for c in cats], 'annotations': []}
    results = []
    for img_id in range(1, 26):
        gt['images'].append({'id': img_id})
        for _ in range(r.randint(0, 5)):
            c = r.choice(cats)
            x, y = round(r.uniform(0, 200), 1), round(r.uniform(0, 200), 1)
            w, h = round(r.uniform(5, 60), 1), round(r.uniform(5, 60), 1)
            crowd = 1 if r.random() < 0.08 else 0
            gt['annotations'].append({'image_id': img_id, 'category_id': c, 'bbox': [x, y, w, h], 'iscrowd': crowd})
            if r.random() < 0.8:  # a detection near the box
                jitter = [round(v + r.gauss(0, 0.08 * max(w, h)), 1) for v in (x, y)]
                size = [max(1.0, round(v * r.uniform(0.8, 1.2), 1)) for v in (w, h)]
                label = c if r.random() < 0.9 else r.choice(cats)
                results.append({'image_id': img_id, 'category_id': label, 'bbox': jitter + size,
                                'score': round(r.uniform(0.3, 1.0), 2)})
            if r.random() < 0.3:  # a duplicate detection of the same box
                results.append({'image_id': img_id, 'category_id': c, 'bbox': [x + 2, y + 2, w, h],
                                'score': round(r.uniform(0.1, 0.9), 2)})
        for _ in range(r.randint(0, 2)):  # false positives
            results.append({'image_id': img_id, 'category_id': r.choice(cats),
                            'bbox': [round(r.uniform(0, 200), 1), round(r.uniform(0, 200), 1),
                                     round(r.uniform(5, 60), 1), round(r.uniform(5, 60), 1)],
                            'score': round(r.uniform(0.0, 0.8), 1)})  # coarse scores: ties across images
    return gt, results


# ----------------------------------------------------------------------------------------------------------------
# sacreBLEU (tokenize='zh') reimplementation

_UCODE_RANGES = [  # sacrebleu/tokenizers/tokenizer_zh.py, compared as strings exactly as there
    ('\u3400', '\u4db5'), ('\u4e00', '\u9fa5'), ('\u9fa6', '\u9fbb'), ('\uf900', '\ufa2d'), ('\ufa30', '\ufa6a'),
    ('\ufa70', '\ufad9'), ('\u20000', '\u2a6d6'), ('\u2f800', '\u2fa1d'), ('\uff00', '\uffef'), ('\u2e80', '\u2eff'),
    ('\u3000', '\u303f'), ('\u31c0', '\u31ef'), ('\u2f00', '\u2fdf'), ('\u2ff0', '\u2fff'), ('\u3100', '\u312f'),
    ('\u31a0', '\u31bf'), ('\ufe10', '\ufe1f'), ('\ufe30', '\ufe4f'), ('\u2600', '\u26ff'), ('\u2700', '\u27bf'),
    ('\u3200', '\u32ff'), ('\u3300', '\u33ff'),
]

_REGEXP = [
    (re.compile(r'([\{-\~\[-\` -\&\(-\+\:-\@\/])'), r' \1 '),
    (re.compile(r'([^0-9])([\.,])'), r'\1 \2 '),
    (re.compile(r'([\.,])([^0-9])'), r' \1 \2'),
    (re.compile(r'([0-9])(-)'), r'\1 \2 '),
]


def _is_chinese_char(ch):
    return any(start <= ch <= end for start, end in _UCODE_RANGES)


def zh_tokenize(line):
    line = line.rstrip().strip()
    spaced = ''.join(f' {ch} ' if _is_chinese_char(ch) else ch for ch in line)
    for pattern, repl in _REGEXP:
        spaced = pattern.sub(repl, spaced)
    return spaced.split()


def sacrebleu_corpus_bleu(hypotheses, references, max_order=4):
    sys_len = ref_len = 0
    correct, total = [0] * max_order, [0] * max_order
    for hyp, ref in zip(hypotheses, references):
        h, rf = zh_tokenize(hyp), zh_tokenize(ref)
        sys_len += len(h)
        ref_len += len(rf)
        for n in range(1, max_order + 1):
            hc = Counter(tuple(h[i:i + n]) for i in range(len(h) - n + 1))
            rc = Counter(tuple(rf[i:i + n]) for i in range(len(rf) - n + 1))
            correct[n - 1] += sum(min(c, rc[g]) for g, c in hc.items())
            total[n - 1] += max(0, len(h) - n + 1)
    bp = (math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0) if sys_len < ref_len else 1.0
    if not any(correct):
        return 0.0
    precisions = [0.0] * max_order
    smooth = 1.0
    for n in range(1, max_order + 1):
        if total[n - 1] == 0:
            break
        if correct[n - 1] == 0:
            smooth *= 2
            precisions[n - 1] = 100. / (smooth * total[n - 1])
        else:
            precisions[n - 1] = 100. * correct[n - 1] / total[n - 1]
    log = lambda p: -9999999999 if p == 0.0 else math.log(p)  # noqa: E731 (sacrebleu's my_log)
    return bp * math.exp(sum(log(p) for p in precisions) / max_order) / 100


def bleu_corpus():
    references = [
        '市民反映小区门口路灯不亮，请尽快维修。',
        '今天上午十点，东方路与南京路交叉口发生交通事故。',
        '请于2024年6月30日前提交材料，逾期不予受理。',
        'The hotline received 1,234 calls about noise in May.',
        '垃圾分类投放点设置在3号楼东侧。',
        '“十四五”规划提出，到2025年基本实现政务服务“一网通办”。',
    ]
    hypotheses = [
        '市民反映小区门口的路灯不亮，请尽快修理。',
        '今天上午10点，东方路和南京路路口发生交通事故。',
        '请在2024年6月30日之前提交材料，逾期不受理。',
        'The hotline got 1,234 calls about noise in May .',
        '垃圾投放点在3号楼东侧。',
        '“十四五”规划提出到2025年实现政务服务一网通办。',
    ]
    return {'kind': 'text', 'truth': references, 'prediction': hypotheses}


# ----------------------------------------------------------------------------------------------------------------


def main():
    datasets = {
        'labels_multiclass': labels_multiclass(),
        'labels_binary_01': labels_binary(['0', '1'], 200, 2),
        'labels_binary_text': labels_binary(['no', 'yes'], 150, 3),
        'proba_binary_ties': proba_binary(['0', '1'], 250, 4, 1),
        'proba_binary_text': proba_binary(['neg', 'pos'], 200, 5, None),
        'proba_multiclass': proba_multiclass(),
        'regression': regression(),
        'bleu_zh': bleu_corpus(),
    }
    cases = []

    def case(metric, dataset, expected, source, params=None):
        cases.append({'metric': metric, 'dataset': dataset, 'params': params or {}, 'expected': float(expected),
                      'source': source})

    for name in ('labels_multiclass', 'labels_binary_01', 'labels_binary_text'):
        y, p = datasets[name]['truth'], datasets[name]['prediction']
        case('accuracy', name, skm.accuracy_score(y, p), 'sklearn accuracy_score')
        for avg in ('macro', 'micro', 'weighted'):
            case(f'{avg}_f1', name, skm.f1_score(y, p, average=avg), f"sklearn f1_score(average='{avg}')")
            case('precision', name, skm.precision_score(y, p, average=avg, zero_division=0),
                 f"sklearn precision_score(average='{avg}', zero_division=0)", {'average': avg})
            case('recall', name, skm.recall_score(y, p, average=avg, zero_division=0),
                 f"sklearn recall_score(average='{avg}', zero_division=0)", {'average': avg})
    y, p = datasets['labels_binary_01']['truth'], datasets['labels_binary_01']['prediction']
    for pos in ('1', '0'):
        params = {} if pos == '1' else {'positiveLabel': pos}
        case('precision', 'labels_binary_01', skm.precision_score(y, p, pos_label=pos),
             f"sklearn precision_score(pos_label='{pos}')", params)
        case('recall', 'labels_binary_01', skm.recall_score(y, p, pos_label=pos),
             f"sklearn recall_score(pos_label='{pos}')", params)
    y, p = datasets['labels_binary_text']['truth'], datasets['labels_binary_text']['prediction']
    case('precision', 'labels_binary_text', skm.precision_score(y, p, pos_label='yes'),
         "sklearn precision_score(pos_label='yes')", {'positiveLabel': 'yes'})
    case('recall', 'labels_binary_text', skm.recall_score(y, p, pos_label='yes'),
         "sklearn recall_score(pos_label='yes')", {'positiveLabel': 'yes'})

    for name in ('proba_binary_ties', 'proba_binary_text'):
        y, p = datasets[name]['truth'], datasets[name]['prediction']
        case('roc_auc', name, skm.roc_auc_score(y, p), 'sklearn roc_auc_score')
        case('log_loss', name, skm.log_loss(y, p), 'sklearn log_loss (eps=auto: float64 eps)')
    mc = datasets['proba_multiclass']
    case('roc_auc', 'proba_multiclass',
         skm.roc_auc_score(mc['truth'], mc['prediction'], multi_class='ovr', average='macro', labels=mc['classes']),
         "sklearn roc_auc_score(multi_class='ovr', average='macro')", {'classes': mc['classes']})
    case('log_loss', 'proba_multiclass', skm.log_loss(mc['truth'], mc['prediction'], labels=mc['classes']),
         'sklearn log_loss(labels=classes)', {'classes': mc['classes']})

    y, p = datasets['regression']['truth'], datasets['regression']['prediction']
    case('rmse', 'regression', skm.mean_squared_error(y, p, squared=False), 'sklearn mean_squared_error(squared=False)')
    case('mae', 'regression', skm.mean_absolute_error(y, p), 'sklearn mean_absolute_error')
    case('mape', 'regression', skm.mean_absolute_percentage_error(y, p), 'sklearn mean_absolute_percentage_error')
    case('r2', 'regression', skm.r2_score(y, p), 'sklearn r2_score')

    bl = datasets['bleu_zh']
    case('bleu', 'bleu_zh', sacrebleu_corpus_bleu(bl['prediction'], bl['truth']),
         "sacreBLEU 2.x corpus_bleu(tokenize='zh') / 100, reimplemented in make_fixtures.py")

    detection = {}
    for name, (gt, res) in (('coco_hand', detection_hand()), ('coco_random', detection_random())):
        value, iou_thrs, rec_thrs = coco_map(gt, res)
        detection[name] = {'groundTruth': gt, 'predictions': res}
        case('map_iou', name, value, 'COCOeval bbox stats[0], reimplemented in make_fixtures.py')

    out = {
        'generator': 'scripts/metrics-reference/make_fixtures.py',
        'seed': SEED,
        'versions': {'python': platform.python_version(), 'numpy': np.__version__, 'sklearn': sklearn.__version__},
        'tolerance': 1e-9,
        'coco': {'iouThresholds': iou_thrs, 'recallThresholds': rec_thrs},
        'datasets': datasets,
        'detection': detection,
        'cases': cases,
    }
    path = os.path.normpath(OUT)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(out, f, ensure_ascii=False, indent=2)
        f.write('\n')
    if shutil.which('npx'):
        subprocess.run(['npx', 'prettier', '--log-level', 'warn', '--write', path], check=True)
    print(f'wrote {path}: {len(cases)} cases, {os.path.getsize(path)} bytes', file=sys.stderr)


if __name__ == '__main__':
    main()
